package dev.dispatch.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.dispatch.domain.engagement.WebhookAuthenticationException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpSubscriptionConfirmerTest {
    private static final String URL = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
            + "&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc%2Bdef";

    @Test
    void givenAUrlThatIsNotSnsOverHttps_thenItIsRefusedBeforeAnyCall() {
        for (String url : List.of("http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
                "https://sns.us-east-1.amazonaws.com.attacker.example/?a=b", "https://attacker.example/?a=b",
                "https://user@sns.us-east-1.amazonaws.com/?a=b", "https://sns.us-east-1.amazonaws.com:8443/?a=b",
                "https://169.254.169.254/latest/meta-data", "not a url",
                // S3 endpoints whose bucket is named "sns": whoever owns it must not be called on our behalf
                "https://sns.s3.amazonaws.com/?Action=ConfirmSubscription",
                "https://sns.s3-us-west-2.amazonaws.com/?Action=ConfirmSubscription",
                "https://sns.s3.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
                "https://sns.us-east-1.amazonaws.com:443/?Action=ConfirmSubscription")) {
            assertThrows(WebhookAuthenticationException.class, () -> HttpSubscriptionConfirmer.requireSns(url), url);
        }
        assertEquals(URI.create(URL), HttpSubscriptionConfirmer.requireSns(URL));
        for (String url : List.of("https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=t",
                "https://sns.us-gov-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
                "https://sns.ap-southeast-2.amazonaws.com/?Action=ConfirmSubscription&Token=t")) {
            assertEquals(URI.create(url), HttpSubscriptionConfirmer.requireSns(url));
        }
    }

    @Test
    void givenABaseOverride_thenOnlySchemeHostAndPortChange() {
        assertEquals(URI.create("http://127.0.0.1:9/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc%2Bdef"),
                HttpSubscriptionConfirmer.target(URI.create(URL), URI.create("http://127.0.0.1:9")));
        assertEquals(URI.create(URL), HttpSubscriptionConfirmer.target(URI.create(URL), null));
    }

    @Test
    void givenTheConfirmationEndpoint_then2xxConfirms_andAnythingElseDoesNot() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            if (status.get() == 302) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:1/elsewhere");
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        try {
            HttpSubscriptionConfirmer confirmer = new HttpSubscriptionConfirmer(Duration.ofSeconds(5),
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            assertTrue(confirmer.confirm(URL));
            assertEquals("GET /?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc%2Bdef",
                    seen.get(0));
            status.set(500);
            assertFalse(confirmer.confirm(URL));
            status.set(302);
            assertFalse(confirmer.confirm(URL), "a redirect is not followed");
            assertEquals(3, seen.size());
            server.stop(0);
            assertFalse(confirmer.confirm(URL), "no answer");
        } finally {
            server.stop(0);
        }
    }
}
