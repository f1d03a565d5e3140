package dev.dispatch.domain.content;

import java.util.List;

/** The sending domain's authentication (SPF, DKIM, DMARC) and the Gmail/Yahoo bulk-sender requirements. */
public record SenderReport(String domain, List<SenderCheck> checks) {
    public SenderReport {
        checks = List.copyOf(checks);
    }
}
