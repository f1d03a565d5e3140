package dev.dispatch.emulators;

import java.net.URI;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * SQS stand-in: ElasticMQ embedded in this JVM on 127.0.0.1 and a free port, region us-east-1, account
 * 000000000000. close() (or a JVM shutdown hook) stops it.
 */
public final class ElasticMq implements AutoCloseable {

    /** ElasticMQ's default account id, used in queue ARNs and URLs. */
    public static final String ACCOUNT_ID = "000000000000";
    public static final String REGION = "us-east-1";

    private final SQSRestServer server;
    private final int port;
    private final Thread shutdownHook;
    private boolean closed;

    private ElasticMq(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "stop-elasticmq-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static ElasticMq start() {
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion(REGION)
                .withAWSAccountId(ACCOUNT_ID).start();
        int port = server.waitUntilStarted().localAddress().getPort();
        return new ElasticMq(server, port);
    }

    /** {@code http://127.0.0.1:<port>} */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | SecurityException ignored) {
            // JVM already shutting down
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        server.stopAndWait();
    }
}
