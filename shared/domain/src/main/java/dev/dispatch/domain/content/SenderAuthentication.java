package dev.dispatch.domain.content;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the From domain's SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) records and checks them against
 * what Gmail and Yahoo require of bulk senders since February 2024: SPF and DKIM set up, a DMARC record (p=none is
 * enough), From aligned with an authenticated domain, one-click unsubscribe (RFC 8058).
 *
 * <p>DKIM keys live under a selector the DNS can't list: the ones tried are the caller's, else the common ones
 * (SendGrid's s1/s2, Mailchimp's k1, Google's, Microsoft's selector1/2, "default"). SES Easy DKIM and Postmark
 * use per-domain selectors: give them to find their keys.
 */
public final class SenderAuthentication {
    public static final List<String> COMMON_SELECTORS = List.of("s1", "s2", "k1", "default", "google", "selector1",
            "selector2", "dkim", "mail");
    /** RFC 7208 §4.6.4: more DNS-querying terms than this make SPF a permerror. */
    private static final int SPF_LOOKUP_LIMIT = 10;

    private final SenderDns dns;

    public SenderAuthentication(SenderDns dns) {
        this.dns = dns;
    }

    public SenderReport check(String fromEmail, List<String> dkimSelectors) {
        String domain = fromEmail.substring(fromEmail.lastIndexOf('@') + 1).strip().toLowerCase(Locale.ROOT);
        List<SenderCheck> checks = new ArrayList<>();
        SenderCheck spf = spf(domain);
        SenderCheck dkim = dkim(domain, dkimSelectors == null || dkimSelectors.isEmpty() ? COMMON_SELECTORS : dkimSelectors);
        SenderCheck dmarc = dmarc(domain);
        checks.add(spf);
        checks.add(dkim);
        checks.add(dmarc);
        checks.add(new SenderCheck("bulk:dmarc", dmarc.status().equals("fail") ? "fail" : dmarc.status().equals("unknown")
                ? "unknown" : "pass", dmarc.record(), "Gmail and Yahoo require a DMARC record of bulk senders (p=none is enough)"));
        String both = spf.status().equals("pass") && dkim.status().equals("pass") ? "pass"
                : spf.status().equals("unknown") || dkim.status().equals("unknown") ? "unknown" : "fail";
        checks.add(new SenderCheck("bulk:authentication", both, null,
                "Gmail requires SPF and DKIM of bulk senders: SPF " + spf.status() + ", DKIM " + dkim.status()));
        checks.add(new SenderCheck("bulk:alignment", dkim.status().equals("pass") ? "pass" : dkim.status().equals("unknown") ? "unknown" : "warn",
                dkim.record(), dkim.status().equals("pass")
                        ? "a DKIM key is published under " + domain + ", so mail signed with it (d=" + domain + ") aligns with From"
                        : "no DKIM key found under " + domain + ": DMARC passes only if the provider's MAIL FROM (SPF) is a "
                                + "subdomain of " + domain + " (a custom MAIL FROM / return-path domain)"));
        checks.add(new SenderCheck("bulk:one-click-unsubscribe", "pass", null,
                "every campaign message carries List-Unsubscribe with an HTTPS link and List-Unsubscribe-Post (RFC 8058)"));
        return new SenderReport(domain, checks);
    }

    private SenderCheck spf(String domain) {
        List<String> records;
        try {
            records = dns.txt(domain).stream().filter(r -> startsWithTag(r, "v=spf1")).toList();
        } catch (SenderDns.LookupFailedException e) {
            return new SenderCheck("spf", "unknown", null, "no DNS answer for " + domain + ": " + e.getMessage());
        }
        if (records.isEmpty()) {
            return new SenderCheck("spf", "fail", null, "no SPF record (TXT \"v=spf1 ...\") at " + domain);
        }
        if (records.size() > 1) {
            return new SenderCheck("spf", "fail", String.join(" | ", records),
                    records.size() + " SPF records at " + domain + ": receivers treat that as a permanent error (RFC 7208 §4.5)");
        }
        String record = records.get(0);
        int lookups = 0;
        String all = null;
        boolean redirect = false;
        for (String term : record.toLowerCase(Locale.ROOT).split("\\s+")) {
            String mechanism = term.replaceFirst("^[+?~-]", "");
            if (mechanism.startsWith("include:") || mechanism.equals("a") || mechanism.startsWith("a:") || mechanism.startsWith("a/")
                    || mechanism.equals("mx") || mechanism.startsWith("mx:") || mechanism.startsWith("mx/")
                    || mechanism.startsWith("ptr") || mechanism.startsWith("exists:")) {
                lookups++;
            } else if (mechanism.startsWith("redirect=")) {
                lookups++;
                redirect = true;
            } else if (mechanism.equals("all")) {
                all = term;
            }
        }
        if (lookups > SPF_LOOKUP_LIMIT) {
            return new SenderCheck("spf", "fail", record, lookups + " DNS-querying terms, over SPF's limit of 10 (RFC 7208 §4.6.4)");
        }
        if (all == null) {
            return new SenderCheck("spf", redirect ? "pass" : "warn", record, redirect ? "policy delegated by redirect="
                    : "no \"all\" term: mail from anywhere else is neutral; end the record with ~all or -all");
        }
        return switch (all) {
            case "-all", "~all" -> new SenderCheck("spf", "pass", record, "ends with " + all);
            case "?all" -> new SenderCheck("spf", "warn", record, "?all says nothing about other senders; use ~all or -all");
            default -> new SenderCheck("spf", "fail", record, all + " lets anyone send as " + domain);
        };
    }

    private SenderCheck dkim(String domain, List<String> selectors) {
        List<String> unknown = new ArrayList<>();
        for (String selector : selectors) {
            String name = selector + "._domainkey." + domain;
            List<String> records;
            try {
                records = dns.txt(name);
            } catch (SenderDns.LookupFailedException e) {
                unknown.add(selector);
                break; // the server isn't answering: asking it for every selector would only add timeouts
            }
            for (String record : records) {
                Map<String, String> tags = tags(record);
                if (!tags.containsKey("p") || (tags.containsKey("v") && !tags.get("v").equals("DKIM1"))) {
                    continue;
                }
                if (tags.get("p").isEmpty()) {
                    return new SenderCheck("dkim", "fail", record, "the key at " + name + " is revoked (empty p=)");
                }
                return new SenderCheck("dkim", "pass", abbreviate(record), "key found at " + name);
            }
        }
        if (!unknown.isEmpty()) {
            return new SenderCheck("dkim", "unknown", null, "no DNS answer for selectors " + unknown);
        }
        return new SenderCheck("dkim", "warn", null, "no DKIM key at the selectors tried " + selectors + " under " + domain
                + "._domainkey; give your provider's selectors (dkimSelectors) to check them");
    }

    private SenderCheck dmarc(String domain) {
        String name = "_dmarc." + domain;
        List<String> records;
        try {
            records = dns.txt(name).stream().filter(r -> startsWithTag(r, "v=DMARC1")).toList();
            String organizational = organizationalDomain(domain);
            if (records.isEmpty() && !organizational.equals(domain)) {
                name = "_dmarc." + organizational; // RFC 7489 §6.6.3: the organizational domain's policy applies
                records = dns.txt(name).stream().filter(r -> startsWithTag(r, "v=DMARC1")).toList();
            }
        } catch (SenderDns.LookupFailedException e) {
            return new SenderCheck("dmarc", "unknown", null, "no DNS answer for " + name + ": " + e.getMessage());
        }
        if (records.isEmpty()) {
            return new SenderCheck("dmarc", "fail", null, "no DMARC record (TXT \"v=DMARC1; p=...\") at _dmarc." + domain);
        }
        if (records.size() > 1) {
            return new SenderCheck("dmarc", "fail", String.join(" | ", records),
                    records.size() + " DMARC records at " + name + ": receivers ignore them all (RFC 7489 §6.6.3)");
        }
        String record = records.get(0);
        String policy = tags(record).getOrDefault("p", "").toLowerCase(Locale.ROOT);
        String reports = tags(record).containsKey("rua") ? "" : "; no rua= tag, so you get no aggregate reports";
        return switch (policy) {
            case "reject", "quarantine" -> new SenderCheck("dmarc", "pass", record, "policy " + policy + " at " + name + reports);
            case "none" -> new SenderCheck("dmarc", "pass", record, "policy none at " + name
                    + ": enough for Gmail and Yahoo, but it only monitors" + reports);
            default -> new SenderCheck("dmarc", "fail", record, "no valid p= tag (none, quarantine or reject) at " + name);
        };
    }

    /** The last two labels (three under a two-letter country code's second level such as co.uk): a close guess. */
    static String organizationalDomain(String domain) {
        String[] labels = domain.split("\\.");
        if (labels.length <= 2) {
            return domain;
        }
        int keep = labels[labels.length - 1].length() == 2 && labels[labels.length - 2].length() <= 3 ? 3 : 2;
        return String.join(".", java.util.Arrays.copyOfRange(labels, Math.max(0, labels.length - keep), labels.length));
    }

    private static boolean startsWithTag(String record, String version) {
        String r = record.strip();
        return r.regionMatches(true, 0, version, 0, version.length())
                && (r.length() == version.length() || r.charAt(version.length()) == ' ' || r.charAt(version.length()) == ';');
    }

    /** "k=v; k2=v2" tag lists (DKIM and DMARC), keys lower case, values stripped of spaces. */
    private static Map<String, String> tags(String record) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : record.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                tags.put(part.substring(0, eq).strip().toLowerCase(Locale.ROOT), part.substring(eq + 1).replaceAll("\\s+", ""));
            }
        }
        return tags;
    }

    private static String abbreviate(String record) {
        return record.length() <= 80 ? record : record.substring(0, 77) + "...";
    }
}
