package dev.dispatch.adapter.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes {@code events/webhook-*.json}: webhook requests as API Gateway HTTP API (payload 2.0) events, bodies shaped
 * after the providers' documented examples, signed with the test-only keys in {@code src/test/resources/webhooks/}
 * (and, for one SendGrid request, SendGrid's published test vector). JDK only, so it runs without a build:
 * {@code java shared/webhooks/src/test/java/dev/dispatch/adapter/webhook/FixtureWriter.java} from the repository root.
 * RSA PKCS#1 v1.5 and HMAC are deterministic, so rewriting changes only the ECDSA-signed SendGrid file.
 */
public final class FixtureWriter {
    /** When the fixtures were "sent": every signature and timestamp in them is at this time. */
    public static final Instant SENT_AT = Instant.parse("2026-12-01T10:00:00Z");
    public static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:dispatch-ses-events";
    public static final String CERT_URL =
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem";
    public static final String POSTMARK_USER = "postmark-hook";
    public static final String POSTMARK_PASSWORD = "fixture-password-not-a-secret";
    public static final String POSTMARK_TOKEN_HEADER = "X-Dispatch-Webhook-Token";
    public static final String POSTMARK_TOKEN = "fixture-token-not-a-secret";
    public static final String GENERIC_SECRET = "fixture-generic-secret-not-a-secret";
    public static final String CAMPAIGN = "cmp_fx7Kq2ZbW9mTn4Rd";
    public static final String BATCH = CAMPAIGN + "-3";

    /** SendGrid's published Signed Event Webhook test vector (sendgrid-java EventWebhookTest). */
    public static final String SENDGRID_VECTOR_PUBLIC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7"
            + "dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    public static final String SENDGRID_VECTOR_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiX"
            + "DWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    public static final String SENDGRID_VECTOR_TIMESTAMP = "1600112502";
    public static final String SENDGRID_VECTOR_PAYLOAD = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\","
            + "\"reason\":\"Bounced Address\",\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
            + "\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
            + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";

    private static final Path RESOURCES = Path.of("shared/webhooks/src/test/resources/webhooks");
    private static final String ADA = "fixture.ada@example.com";
    private static final String BOB = "fixture.bob@example.com";

    private final Path out;

    private FixtureWriter(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        FixtureWriter writer = new FixtureWriter(Path.of(args.length > 0 ? args[0] : "events"));
        writer.sendGrid();
        writer.ses();
        writer.postmark();
        writer.generic();
    }

    // ---------------------------------------------------------------- SendGrid

    private void sendGrid() throws Exception {
        write("webhook-sendgrid-dropped-test-vector.json", "/webhooks/sendgrid", sendGridHeaders(
                SENDGRID_VECTOR_SIGNATURE, SENDGRID_VECTOR_TIMESTAMP), SENDGRID_VECTOR_PAYLOAD,
                Instant.ofEpochSecond(Long.parseLong(SENDGRID_VECTOR_TIMESTAMP)));

        long t = SENT_AT.getEpochSecond();
        String correlation = ",\"campaignId\":\"" + CAMPAIGN + "\",\"variant\":\"A\",\"recipient\":\"" + recipientKey(ADA)
                + "\",\"batchId\":\"" + BATCH + "\"";
        String smtp = ",\"smtp-id\":\"<14c5d75ce93.dfd.64b469@ismtpd-555>\",\"sg_message_id\":\"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0\"";
        List<String> events = new ArrayList<>();
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 60) + smtp + ",\"event\":\"processed\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-processed-0001\"" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 55) + smtp + ",\"event\":\"deferred\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-deferred-0001\",\"response\":\"400 try again later\",\"attempt\":\"5\"" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 50) + smtp + ",\"event\":\"delivered\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-delivered-0001\",\"response\":\"250 OK\"" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 40) + smtp + ",\"event\":\"open\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-open-0001\",\"useragent\":\"Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)\",\"ip\":\"255.255.255.255\",\"sg_machine_open\":false" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 30) + smtp + ",\"event\":\"click\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-click-0001\",\"useragent\":\"Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)\",\"ip\":\"255.255.255.255\",\"url\":\"https://www.example.com/offer?utm_source=dispatch\",\"url_offset\":{\"index\":0,\"type\":\"html\"}" + correlation + "}");
        events.add("{\"email\":\"" + BOB + "\",\"timestamp\":" + (t - 25) + smtp + ",\"event\":\"bounce\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-bounce-0001\",\"reason\":\"550 5.1.1 The email account that you tried to reach does not exist.\",\"status\":\"5.1.1\",\"type\":\"bounce\",\"bounce_classification\":\"Invalid Address\",\"campaignId\":\"" + CAMPAIGN + "\",\"variant\":\"B\",\"batchId\":\"" + BATCH + "\"}");
        events.add("{\"email\":\"" + BOB + "\",\"timestamp\":" + (t - 24) + smtp + ",\"event\":\"bounce\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-blocked-0001\",\"reason\":\"421 4.7.0 Try again later, closing connection.\",\"status\":\"4.7.0\",\"type\":\"blocked\",\"bounce_classification\":\"Frequency or Volume\"}");
        events.add("{\"email\":\"" + BOB + "\",\"timestamp\":" + (t - 20) + smtp + ",\"event\":\"dropped\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-dropped-0001\",\"reason\":\"Bounced Address\",\"status\":\"5.0.0\"}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 15) + smtp + ",\"event\":\"spamreport\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-spamreport-0001\"" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 10) + smtp + ",\"event\":\"unsubscribe\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-unsubscribe-0001\"" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 8) + smtp + ",\"event\":\"group_unsubscribe\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-group-unsubscribe-0001\",\"useragent\":\"Mozilla/5.0\",\"ip\":\"255.255.255.255\",\"url\":\"https://sendgrid.com\",\"asm_group_id\":10" + correlation + "}");
        events.add("{\"email\":\"" + ADA + "\",\"timestamp\":" + (t - 5) + smtp + ",\"event\":\"group_resubscribe\",\"category\":[\"newsletter\"],\"sg_event_id\":\"sg-group-resubscribe-0001\",\"useragent\":\"Mozilla/5.0\",\"ip\":\"255.255.255.255\",\"url\":\"https://sendgrid.com\",\"asm_group_id\":10" + correlation + "}");
        String body = "[" + String.join(",", events) + "]\r\n";
        String timestamp = Long.toString(t);
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(privateKey("sendgrid-test-signing-key.pem", "EC"));
        ecdsa.update((timestamp + body).getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getEncoder().encodeToString(ecdsa.sign());
        write("webhook-sendgrid-events.json", "/webhooks/sendgrid", sendGridHeaders(signature, timestamp), body, SENT_AT);
    }

    private static Map<String, String> sendGridHeaders(String signature, String timestamp) {
        Map<String, String> headers = baseHeaders("SendGrid Event API", "application/json");
        headers.put("x-twilio-email-event-webhook-signature", signature);
        headers.put("x-twilio-email-event-webhook-timestamp", timestamp);
        return headers;
    }

    // ---------------------------------------------------------------- SES through SNS

    private void ses() throws Exception {
        String mail = mail(ADA, "2026-12-01T09:59:00.000Z");
        String mailBob = mail(BOB, "2026-12-01T09:59:00.000Z");
        ses("webhook-ses-send.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000001", null,
                "{\"eventType\":\"Send\",\"mail\":" + mail + ",\"send\":{}}");
        ses("webhook-ses-reject.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000002", null,
                "{\"eventType\":\"Reject\",\"mail\":" + mail + ",\"reject\":{\"reason\":\"Bad content\"}}");
        ses("webhook-ses-bounce-permanent.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000003", null,
                "{\"eventType\":\"Bounce\",\"bounce\":{\"feedbackId\":\"0100017a-bounce-0001\",\"bounceType\":\"Permanent\","
                        + "\"bounceSubType\":\"General\",\"bouncedRecipients\":[{\"emailAddress\":\"" + BOB + "\",\"action\":\"failed\","
                        + "\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}],"
                        + "\"timestamp\":\"2026-12-01T09:59:02.000Z\",\"reportingMTA\":\"dsn; a8-70.smtp-out.amazonses.com\"},"
                        + "\"mail\":" + mailBob + "}");
        ses("webhook-ses-bounce-transient.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000004", null,
                "{\"eventType\":\"Bounce\",\"bounce\":{\"feedbackId\":\"0100017a-bounce-0002\",\"bounceType\":\"Transient\","
                        + "\"bounceSubType\":\"MailboxFull\",\"bouncedRecipients\":[{\"emailAddress\":\"" + BOB + "\",\"action\":\"failed\","
                        + "\"status\":\"4.2.2\",\"diagnosticCode\":\"smtp; 452 4.2.2 mailbox full\"}],"
                        + "\"timestamp\":\"2026-12-01T09:59:03.000Z\"},\"mail\":" + mailBob + "}");
        ses("webhook-ses-complaint.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000005", null,
                "{\"eventType\":\"Complaint\",\"complaint\":{\"feedbackId\":\"0100017a-complaint-0001\",\"complaintSubType\":null,"
                        + "\"complainedRecipients\":[{\"emailAddress\":\"" + ADA + "\"}],\"timestamp\":\"2026-12-01T09:59:30.000Z\","
                        + "\"userAgent\":\"Mozilla/5.0\",\"complaintFeedbackType\":\"abuse\",\"arrivalDate\":\"2026-12-01T09:59:29.000Z\"},"
                        + "\"mail\":" + mail + "}");
        ses("webhook-ses-delivery.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000006", null,
                "{\"eventType\":\"Delivery\",\"mail\":" + mail + ",\"delivery\":{\"timestamp\":\"2026-12-01T09:59:01.000Z\","
                        + "\"processingTimeMillis\":546,\"recipients\":[\"" + ADA + "\"],\"smtpResponse\":\"250 2.6.0 Message received\","
                        + "\"reportingMTA\":\"a8-70.smtp-out.amazonses.com\",\"remoteMtaIp\":\"203.0.113.25\"}}");
        ses("webhook-ses-open.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000007", null,
                "{\"eventType\":\"Open\",\"mail\":" + mail + ",\"open\":{\"ipAddress\":\"192.0.2.1\","
                        + "\"timestamp\":\"2026-12-01T09:59:40.000Z\",\"userAgent\":\"Mozilla/5.0 (iPhone)\"}}");
        ses("webhook-ses-click.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000008", null,
                "{\"eventType\":\"Click\",\"click\":{\"ipAddress\":\"192.0.2.1\",\"link\":\"https://www.example.com/offer\","
                        + "\"linkTags\":{\"samplekey0\":[\"samplevalue0\"]},\"timestamp\":\"2026-12-01T09:59:45.000Z\","
                        + "\"userAgent\":\"Mozilla/5.0\"},\"mail\":" + mail + "}");
        ses("webhook-ses-rendering-failure.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000009", null,
                "{\"eventType\":\"Rendering Failure\",\"mail\":" + mail + ",\"failure\":{\"errorMessage\":"
                        + "\"Attribute 'attributeName' is not present in the rendering data.\",\"templateName\":\"MyTemplate\"}}");
        ses("webhook-ses-delivery-delay.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000010", null,
                "{\"eventType\":\"DeliveryDelay\",\"mail\":" + mail + ",\"deliveryDelay\":{\"timestamp\":\"2026-12-01T09:59:50.000Z\","
                        + "\"delayType\":\"TransientCommunicationFailure\",\"expirationTime\":\"2026-12-01T23:59:00.000Z\","
                        + "\"delayedRecipients\":[{\"emailAddress\":\"" + ADA + "\",\"status\":\"4.4.1\","
                        + "\"diagnosticCode\":\"smtp; 421 4.4.1 Unable to connect to remote host\"}]}}");
        ses("webhook-ses-subscription.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000011", null,
                "{\"eventType\":\"Subscription\",\"mail\":" + mail + ",\"subscription\":{\"contactList\":\"newsletter\","
                        + "\"timestamp\":\"2026-12-01T09:59:55.000Z\",\"source\":\"UnsubscribeHeader\","
                        + "\"newTopicPreferences\":{\"unsubscribeAll\":true,\"topicSubscriptionStatus\":[]},"
                        + "\"oldTopicPreferences\":{\"unsubscribeAll\":false,\"topicSubscriptionStatus\":[]}}}");
        // The older notification shape, signature version 1 and a Subject, as SES identity notifications send it.
        ses("webhook-ses-notification-bounce.json", "1", "0b7d0d4e-1c0a-5b8e-9a53-000000000012", "Amazon SES Email Event Notification",
                "{\"notificationType\":\"Bounce\",\"bounce\":{\"feedbackId\":\"0100017a-bounce-0003\",\"bounceType\":\"Permanent\","
                        + "\"bounceSubType\":\"Suppressed\",\"bouncedRecipients\":[{\"emailAddress\":\"" + BOB + "\"}],"
                        + "\"timestamp\":\"2026-12-01T09:59:04.000Z\"},\"mail\":" + mailBob + "}");
        ses("webhook-ses-notification-complaint.json", "1", "0b7d0d4e-1c0a-5b8e-9a53-000000000013", null,
                "{\"notificationType\":\"Complaint\",\"complaint\":{\"feedbackId\":\"0100017a-complaint-0002\","
                        + "\"complainedRecipients\":[{\"emailAddress\":\"" + ADA + "\"}],\"timestamp\":\"2026-12-01T09:59:31.000Z\"},"
                        + "\"mail\":" + mail + "}");
        ses("webhook-ses-notification-delivery.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000014", null,
                "{\"notificationType\":\"Delivery\",\"mail\":" + mail + ",\"delivery\":{\"timestamp\":\"2026-12-01T09:59:01.000Z\","
                        + "\"processingTimeMillis\":500,\"recipients\":[\"" + ADA + "\"],\"smtpResponse\":\"250 ok\"}}");
        confirmation("webhook-ses-subscription-confirmation.json", TOPIC_ARN);
        // Failing twin: a certificate URL on a host that is not SNS (signed with the same test key, so only the
        // URL check can refuse it).
        ses("webhook-ses-forged-cert-url.json", "2", "0b7d0d4e-1c0a-5b8e-9a53-000000000099", null,
                "{\"eventType\":\"Delivery\",\"mail\":" + mail + ",\"delivery\":{\"timestamp\":\"2026-12-01T09:59:01.000Z\","
                        + "\"recipients\":[\"" + ADA + "\"]}}",
                "https://sns.us-east-1.amazonaws.com.attacker.example/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem");
    }

    /** The SES {@code mail} object, correlated both ways the SES provider sends: tags and X-Dispatch-* headers. */
    private static String mail(String to, String timestamp) throws Exception {
        return "{\"timestamp\":\"" + timestamp + "\",\"source\":\"news@example.com\","
                + "\"sourceArn\":\"arn:aws:ses:us-east-1:123456789012:identity/example.com\",\"sendingAccountId\":\"123456789012\","
                + "\"messageId\":\"0100017a-ses-message-0001\",\"destination\":[\"" + to + "\"],\"headersTruncated\":false,"
                + "\"headers\":[{\"name\":\"From\",\"value\":\"news@example.com\"},{\"name\":\"To\",\"value\":\"" + to + "\"},"
                + "{\"name\":\"Subject\",\"value\":\"Hello\"},{\"name\":\"X-Dispatch-Campaign\",\"value\":\"" + CAMPAIGN + "\"},"
                + "{\"name\":\"X-Dispatch-Recipient\",\"value\":\"" + recipientKey(to) + "\"},"
                + "{\"name\":\"X-Dispatch-Variant\",\"value\":\"A\"},{\"name\":\"X-Dispatch-Batch\",\"value\":\"" + BATCH + "\"}],"
                + "\"commonHeaders\":{\"from\":[\"news@example.com\"],\"to\":[\"" + to + "\"],\"messageId\":\"0100017a-ses-message-0001\","
                + "\"subject\":\"Hello\"},"
                + "\"tags\":{\"ses:configuration-set\":[\"dispatch\"],\"ses:source-ip\":[\"192.0.2.10\"],"
                + "\"campaignId\":[\"" + CAMPAIGN + "\"],\"variant\":[\"A\"],\"batchId\":[\"" + BATCH + "\"]}}";
    }

    private void ses(String file, String version, String messageId, String subject, String message) throws Exception {
        ses(file, version, messageId, subject, message, CERT_URL);
    }

    private void ses(String file, String version, String messageId, String subject, String message, String certUrl)
            throws Exception {
        String timestamp = "2026-12-01T10:00:00.000Z";
        StringBuilder canonical = new StringBuilder();
        canonical.append("Message\n").append(message).append('\n').append("MessageId\n").append(messageId).append('\n');
        if (subject != null) {
            canonical.append("Subject\n").append(subject).append('\n');
        }
        canonical.append("Timestamp\n").append(timestamp).append('\n').append("TopicArn\n").append(TOPIC_ARN).append('\n')
                .append("Type\nNotification\n");
        Map<String, String> envelope = new LinkedHashMap<>();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", messageId);
        envelope.put("TopicArn", TOPIC_ARN);
        if (subject != null) {
            envelope.put("Subject", subject);
        }
        envelope.put("Message", message);
        envelope.put("Timestamp", timestamp);
        envelope.put("SignatureVersion", version);
        envelope.put("Signature", snsSign(version, canonical.toString()));
        envelope.put("SigningCertURL", certUrl);
        envelope.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + TOPIC_ARN
                + ":3b1f2c4d-0000-4000-8000-000000000001");
        write(file, "/webhooks/amazon-ses", snsHeaders("Notification", messageId), object(envelope), SENT_AT);
    }

    private void confirmation(String file, String topicArn) throws Exception {
        String messageId = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
        String token = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad"
                + "02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736";
        String message = "You have chosen to subscribe to the topic " + topicArn
                + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
        String subscribeUrl = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topicArn
                + "&Token=" + token;
        String timestamp = "2026-12-01T10:00:00.000Z";
        String canonical = "Message\n" + message + "\nMessageId\n" + messageId + "\nSubscribeURL\n" + subscribeUrl
                + "\nTimestamp\n" + timestamp + "\nToken\n" + token + "\nTopicArn\n" + topicArn
                + "\nType\nSubscriptionConfirmation\n";
        Map<String, String> envelope = new LinkedHashMap<>();
        envelope.put("Type", "SubscriptionConfirmation");
        envelope.put("MessageId", messageId);
        envelope.put("Token", token);
        envelope.put("TopicArn", topicArn);
        envelope.put("Message", message);
        envelope.put("SubscribeURL", subscribeUrl);
        envelope.put("Timestamp", timestamp);
        envelope.put("SignatureVersion", "2");
        envelope.put("Signature", snsSign("2", canonical));
        envelope.put("SigningCertURL", CERT_URL);
        write(file, "/webhooks/amazon-ses", snsHeaders("SubscriptionConfirmation", messageId), object(envelope), SENT_AT);
    }

    private static Map<String, String> snsHeaders(String type, String messageId) {
        Map<String, String> headers = baseHeaders("Amazon Simple Notification Service Agent", "text/plain; charset=UTF-8");
        headers.put("x-amz-sns-message-type", type);
        headers.put("x-amz-sns-message-id", messageId);
        headers.put("x-amz-sns-topic-arn", TOPIC_ARN);
        return headers;
    }

    /** Signs an SNS canonical string with the committed test-only RSA key (1 = SHA1withRSA, 2 = SHA256withRSA). */
    public static String snsSign(String version, String canonical) throws Exception {
        Signature rsa = Signature.getInstance(version.equals("1") ? "SHA1withRSA" : "SHA256withRSA");
        rsa.initSign(privateKey("sns-test-signing-key.pem", "RSA"));
        rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(rsa.sign());
    }

    // ---------------------------------------------------------------- Postmark

    private void postmark() throws Exception {
        String metadata = "\"Metadata\":{\"campaignId\":\"" + CAMPAIGN + "\",\"recipient\":\"" + recipientKey(ADA)
                + "\",\"variant\":\"A\",\"batchId\":\"" + BATCH + "\"},\"Tag\":\"" + CAMPAIGN + "\"";
        String metadataBob = "\"Metadata\":{\"campaignId\":\"" + CAMPAIGN + "\",\"recipient\":\"" + recipientKey(BOB)
                + "\",\"variant\":\"B\",\"batchId\":\"" + BATCH + "\"},\"Tag\":\"" + CAMPAIGN + "\"";
        postmark("webhook-postmark-delivery.json", "{\"RecordType\":\"Delivery\",\"ServerID\":23,\"MessageStream\":\"broadcast\","
                + "\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\",\"Recipient\":\"" + ADA + "\",\"Tag\":\"" + CAMPAIGN + "\","
                + "\"DeliveredAt\":\"2026-12-01T09:59:01.1234567Z\",\"Details\":\"Test delivery webhook details\","
                + metadata.substring(0, metadata.indexOf(",\"Tag\"")) + "}", true);
        postmark("webhook-postmark-bounce-hard.json", "{\"RecordType\":\"Bounce\",\"MessageStream\":\"broadcast\",\"ID\":4323372036854775807,"
                + "\"Type\":\"HardBounce\",\"TypeCode\":1,\"Name\":\"Hard bounce\",\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79484\","
                + "\"ServerID\":23,\"Description\":\"The server was unable to deliver your message (ex: unknown user, mailbox not found).\","
                + "\"Details\":\"smtp;550 5.1.1 The email account that you tried to reach does not exist.\",\"Email\":\"" + BOB + "\","
                + "\"From\":\"news@example.com\",\"BouncedAt\":\"2026-12-01T09:59:02.0000000Z\",\"DumpAvailable\":true,\"Inactive\":true,"
                + "\"CanActivate\":true,\"Subject\":\"Hello\",\"Content\":null," + metadataBob + "}", true);
        postmark("webhook-postmark-bounce-soft.json", "{\"RecordType\":\"Bounce\",\"MessageStream\":\"broadcast\",\"ID\":4323372036854775808,"
                + "\"Type\":\"SoftBounce\",\"TypeCode\":4096,\"Name\":\"Soft bounce/Undeliverable\",\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79485\","
                + "\"ServerID\":23,\"Description\":\"Unable to temporarily deliver this email.\",\"Details\":\"smtp;452 4.2.2 mailbox full\","
                + "\"Email\":\"" + BOB + "\",\"From\":\"news@example.com\",\"BouncedAt\":\"2026-12-01T04:59:03.0000000-05:00\","
                + "\"DumpAvailable\":false,\"Inactive\":false,\"CanActivate\":true,\"Subject\":\"Hello\"," + metadataBob + "}", false);
        postmark("webhook-postmark-spam-complaint.json", "{\"RecordType\":\"SpamComplaint\",\"MessageStream\":\"broadcast\",\"ID\":42,"
                + "\"Type\":\"SpamComplaint\",\"TypeCode\":100001,\"Name\":\"Spam complaint\",\"Tag\":\"" + CAMPAIGN + "\","
                + "\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79486\",\"ServerID\":23,\"Description\":\"The subscriber explicitly marked this message as spam.\","
                + "\"Details\":\"Test spam complaint details\",\"Email\":\"" + ADA + "\",\"From\":\"news@example.com\","
                + "\"BouncedAt\":\"2026-12-01T09:59:30.0000000Z\",\"DumpAvailable\":true,\"Inactive\":true,\"CanActivate\":false,"
                + "\"Subject\":\"Hello\",\"Content\":null," + metadata.substring(0, metadata.indexOf(",\"Tag\"")) + "}", true);
        postmark("webhook-postmark-open.json", "{\"RecordType\":\"Open\",\"MessageStream\":\"broadcast\",\"FirstOpen\":true,"
                + "\"Client\":{\"Name\":\"Chrome 35.0.1916.153\",\"Company\":\"Google\",\"Family\":\"Chrome\"},"
                + "\"OS\":{\"Name\":\"OS X 10.7 Lion\",\"Company\":\"Apple Computer, Inc.\",\"Family\":\"OS X 10\"},\"Platform\":\"WebMail\","
                + "\"UserAgent\":\"Mozilla/5.0\",\"ReadSeconds\":5,\"Geo\":{\"CountryISOCode\":\"RS\",\"Country\":\"Serbia\"},"
                + "\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\",\"ReceivedAt\":\"2026-12-01T09:59:40.0000000Z\","
                + "\"Recipient\":\"" + ADA + "\"," + metadata + "}", false);
        postmark("webhook-postmark-click.json", "{\"RecordType\":\"Click\",\"MessageStream\":\"broadcast\",\"ClickLocation\":\"HTML\","
                + "\"Client\":{\"Name\":\"Chrome 35.0.1916.153\",\"Company\":\"Google\",\"Family\":\"Chrome\"},"
                + "\"OS\":{\"Name\":\"OS X 10.7 Lion\",\"Company\":\"Apple Computer, Inc.\",\"Family\":\"OS X 10\"},\"Platform\":\"Desktop\","
                + "\"UserAgent\":\"Mozilla/5.0\",\"OriginalLink\":\"https://www.example.com/offer\","
                + "\"Geo\":{\"CountryISOCode\":\"RS\",\"Country\":\"Serbia\"},\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\","
                + "\"ReceivedAt\":\"2026-12-01T09:59:45.0000000Z\",\"Recipient\":\"" + ADA + "\"," + metadata + "}", true);
        postmark("webhook-postmark-subscription-change.json", "{\"RecordType\":\"SubscriptionChange\",\"MessageID\":\"883953f4-6105-42a2-a16a-77a8eac79483\","
                + "\"ServerID\":23,\"MessageStream\":\"broadcast\",\"ChangedAt\":\"2026-12-01T09:59:55.0000000Z\",\"Recipient\":\"" + ADA + "\","
                + "\"Origin\":\"Recipient\",\"SuppressSending\":true,\"SuppressionReason\":\"ManualSuppression\"," + metadata + "}", false);
    }

    private void postmark(String file, String body, boolean basic) throws Exception {
        Map<String, String> headers = baseHeaders("Postmark", "application/json");
        if (basic) {
            headers.put("authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (POSTMARK_USER + ":" + POSTMARK_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        } else {
            headers.put(POSTMARK_TOKEN_HEADER.toLowerCase(), POSTMARK_TOKEN);
        }
        write(file, "/webhooks/postmark", headers, body, SENT_AT);
    }

    // ---------------------------------------------------------------- generic

    private void generic() throws Exception {
        String[][] rows = {
            {"gen-0001", "sent", ADA, null, null},
            {"gen-0002", "delivered", ADA, null, null},
            {"gen-0003", "deferred", ADA, null, "421 try later"},
            {"gen-0004", "opened", ADA, null, null},
            {"gen-0005", "clicked", ADA, "https://www.example.com/offer", null},
            {"gen-0006", "bounced", BOB, null, "550 5.1.1 user unknown"},
            {"gen-0007", "soft_bounced", BOB, null, "452 4.2.2 mailbox full"},
            {"gen-0008", "complained", ADA, null, "abuse"},
            {"gen-0009", "unsubscribed", ADA, null, null},
            {"gen-0010", "dropped", BOB, null, "suppressed"},
            {"gen-0011", "rejected", BOB, null, "virus"},
            {"gen-0012", "rendering_failure", ADA, null, "missing attribute"},
            {"gen-0013", "list_cleaned", ADA, null, null},
        };
        List<String> events = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            String[] row = rows[i];
            events.add("{\"id\":\"" + row[0] + "\",\"type\":\"" + row[1] + "\",\"email\":\"" + row[2] + "\",\"timestamp\":\""
                    + SENT_AT.minusSeconds(60 - i) + "\",\"campaignId\":\"" + CAMPAIGN + "\",\"variant\":\"A\""
                    + (row[3] == null ? "" : ",\"url\":\"" + row[3] + "\"") + (row[4] == null ? "" : ",\"reason\":\"" + row[4] + "\"") + "}");
        }
        String body = "[" + String.join(",", events) + "]";
        Map<String, String> headers = baseHeaders("dispatch-fixture", "application/json");
        headers.put("x-dispatch-signature", genericSignature(SENT_AT.getEpochSecond(), body));
        write("webhook-generic-events.json", "/webhooks/generic", headers, body, SENT_AT);
    }

    public static String genericSignature(long t, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(GENERIC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- plumbing

    public static String recipientKey(String address) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(address.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    public static PrivateKey privateKey(String file, String algorithm) throws Exception {
        return privateKey(RESOURCES.resolve(file), algorithm);
    }

    public static PrivateKey privateKey(Path file, String algorithm) throws Exception {
        String pem = Files.readString(file).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s+", "");
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    private static Map<String, String> baseHeaders(String userAgent, String contentType) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "abcdef1234.execute-api.us-east-1.amazonaws.com");
        headers.put("user-agent", userAgent);
        headers.put("x-forwarded-for", "203.0.113.10");
        headers.put("x-forwarded-port", "443");
        headers.put("x-forwarded-proto", "https");
        headers.put("content-type", contentType);
        return headers;
    }

    private void write(String file, String path, Map<String, String> headers, String body, Instant receivedAt)
            throws IOException {
        headers.put("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
        String route = "POST " + path;
        String userAgent = headers.get("user-agent");
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"version\": \"2.0\",\n  \"routeKey\": ").append(q(route)).append(",\n  \"rawPath\": ").append(q(path))
                .append(",\n  \"rawQueryString\": \"\",\n  \"headers\": {\n");
        int i = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            json.append("    ").append(q(header.getKey())).append(": ").append(q(header.getValue()))
                    .append(++i < headers.size() ? ",\n" : "\n");
        }
        json.append("  },\n  \"requestContext\": {\n    \"accountId\": \"123456789012\",\n    \"apiId\": \"abcdef1234\",\n")
                .append("    \"domainName\": \"abcdef1234.execute-api.us-east-1.amazonaws.com\",\n    \"domainPrefix\": \"abcdef1234\",\n")
                .append("    \"http\": {\n      \"method\": \"POST\",\n      \"path\": ").append(q(path))
                .append(",\n      \"protocol\": \"HTTP/1.1\",\n      \"sourceIp\": \"203.0.113.10\",\n      \"userAgent\": ")
                .append(q(userAgent)).append("\n    },\n    \"requestId\": \"JKJaXmPLvHcESHA=\",\n    \"routeKey\": ").append(q(route))
                .append(",\n    \"stage\": \"$default\",\n    \"time\": ").append(q(apiTime(receivedAt)))
                .append(",\n    \"timeEpoch\": ").append(receivedAt.toEpochMilli()).append("\n  },\n")
                .append("  \"isBase64Encoded\": false,\n  \"body\": ").append(q(body)).append("\n}\n");
        Files.writeString(out.resolve(file), json.toString(), StandardCharsets.UTF_8);
    }

    private static String apiTime(Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ROOT)
                .format(at.atZone(java.time.ZoneOffset.UTC));
    }

    private static String object(Map<String, String> fields) {
        StringBuilder json = new StringBuilder("{");
        fields.forEach((name, value) -> json.append(json.length() > 1 ? "," : "").append(q(name)).append(':').append(q(value)));
        return json.append('}').toString();
    }

    /** A JSON string literal. */
    static String q(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
