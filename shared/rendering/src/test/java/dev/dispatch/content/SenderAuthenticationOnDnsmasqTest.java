package dev.dispatch.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dispatch.adapter.content.DnsJavaLookup;
import dev.dispatch.domain.content.SenderAuthentication;
import dev.dispatch.domain.content.SenderCheck;
import dev.dispatch.domain.content.SenderReport;
import dev.dispatch.emulators.Dnsmasq;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sender checks through dnsjava against a real DNS server (dnsmasq) serving each case's records. */
class SenderAuthenticationOnDnsmasqTest {
    private static Dnsmasq dns;
    private static SenderAuthentication sender;

    @BeforeAll
    static void start() {
        Map<String, List<String>> txt = new LinkedHashMap<>();
        // All set up: SPF with -all, a DKIM key at SendGrid's s1, DMARC reject with reports.
        txt.put("good.test", List.of("v=spf1 include:amazonses.com include:sendgrid.net -all", "google-site-verification=abc"));
        txt.put("s1._domainkey.good.test", List.of("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB"));
        txt.put("_dmarc.good.test", List.of("v=DMARC1; p=reject; rua=mailto:dmarc@good.test"));
        // Nothing published at all.
        txt.put("bare.test", List.of("some-other-verification=1"));
        // Two SPF records (permerror), +all, a revoked key, DMARC without a policy.
        txt.put("two.test", List.of("v=spf1 -all", "v=spf1 include:sendgrid.net ~all"));
        txt.put("open.test", List.of("v=spf1 +all"));
        txt.put("k1._domainkey.open.test", List.of("v=DKIM1; p="));
        txt.put("_dmarc.open.test", List.of("v=DMARC1; rua=mailto:x@open.test"));
        // A subdomain sender covered by its organizational domain's DMARC (p=none).
        txt.put("news.org.test", List.of("v=spf1 include:spf.mtasv.net ~all"));
        txt.put("_dmarc.org.test", List.of("v=DMARC1; p=none"));
        txt.put("pm2024._domainkey.news.org.test", List.of("k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ"));
        dns = Dnsmasq.start(txt);
        sender = new SenderAuthentication(DnsJavaLookup.server(dns.address()));
    }

    @AfterAll
    static void stop() {
        if (dns != null) {
            dns.close();
        }
    }

    private static SenderCheck check(SenderReport report, String name) {
        return report.checks().stream().filter(c -> c.check().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void givenAFullySetUpDomain_whenChecked_thenEveryCheckPasses() {
        SenderReport report = sender.check("news@Good.test", List.of());
        assertEquals("good.test", report.domain());
        for (SenderCheck c : report.checks()) {
            assertEquals("pass", c.status(), c.toString());
        }
        assertEquals("v=spf1 include:amazonses.com include:sendgrid.net -all", check(report, "spf").record());
        assertTrue(check(report, "dkim").detail().contains("s1._domainkey.good.test"));
    }

    @Test
    void givenNothingPublished_whenChecked_thenSpfAndDmarcFailAndTheBulkRulesSaySo() {
        SenderReport report = sender.check("news@bare.test", List.of());
        assertEquals("fail", check(report, "spf").status());
        assertEquals("warn", check(report, "dkim").status());
        assertEquals("fail", check(report, "dmarc").status());
        assertEquals("fail", check(report, "bulk:dmarc").status());
        assertEquals("fail", check(report, "bulk:authentication").status());
    }

    @Test
    void givenBrokenRecords_whenChecked_thenEachProblemIsNamed() {
        SenderCheck twoSpf = check(sender.check("a@two.test", List.of()), "spf");
        assertEquals("fail", twoSpf.status());
        assertTrue(twoSpf.detail().contains("2 SPF records"), twoSpf.detail());
        SenderReport open = sender.check("a@open.test", List.of());
        assertTrue(check(open, "spf").status().equals("fail") && check(open, "spf").detail().contains("+all"), open.toString());
        assertTrue(check(open, "dkim").detail().contains("revoked"), open.toString());
        assertTrue(check(open, "dmarc").status().equals("fail") && check(open, "dmarc").detail().contains("p="), open.toString());
    }

    @Test
    void givenASubdomainSenderWithItsOwnSelector_whenChecked_thenTheOrganizationalDmarcAndTheSelectorAreFound() {
        SenderReport report = sender.check("hello@news.org.test", List.of("pm2024"));
        assertEquals("pass", check(report, "spf").status());
        assertEquals("pass", check(report, "dkim").status());
        SenderCheck dmarc = check(report, "dmarc");
        assertEquals("pass", dmarc.status());
        assertTrue(dmarc.detail().contains("_dmarc.org.test") && dmarc.detail().contains("none"), dmarc.detail());
    }

    @Test
    void givenAServerThatDoesNotAnswer_whenChecked_thenTheVerdictIsUnknownNotFail() throws Exception {
        int silentPort;
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            silentPort = socket.getLocalPort(); // bound and never read: queries go unanswered
            SenderReport report = new SenderAuthentication(DnsJavaLookup.server("127.0.0.1:" + silentPort))
                    .check("a@good.test", List.of("s1"));
            assertEquals("unknown", check(report, "spf").status(), report.toString());
            assertEquals("unknown", check(report, "dmarc").status(), report.toString());
        }
    }
}
