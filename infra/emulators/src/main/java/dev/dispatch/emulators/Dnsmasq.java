package dev.dispatch.emulators;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real DNS server for tests: Debian's dnsmasq as a child process on 127.0.0.1 and a free port, answering only
 * from the TXT records it is given (NXDOMAIN for every other name; nothing is forwarded). dnsmasq is not installed
 * by the build: {@code .ci/run} installs Debian's {@code dnsmasq-base}.
 */
public final class Dnsmasq implements AutoCloseable {
    private final NodeProcess process;

    private Dnsmasq(NodeProcess process) {
        this.process = process;
    }

    /** @param txtRecords name → its TXT records (several records at one name are several entries) */
    public static Dnsmasq start(Map<String, List<String>> txtRecords) {
        String binary = binary();
        List<String> command = new ArrayList<>(List.of(binary, "--keep-in-foreground", "--port={port}",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-poll",
                "--conf-file=/dev/null", "--pid-file", "--log-facility=-", "--local=/#/",
                "--txt-record=ready.dnsmasq.test,ready"));
        txtRecords.forEach((name, records) -> records.forEach(record -> {
            // dnsmasq takes the text as is (quotes would be served too) and splits character-strings at commas.
            if (record.contains(",") || record.contains("\"")) {
                throw new IllegalArgumentException("a TXT record with a comma or a quote can't be given to dnsmasq: " + record);
            }
            command.add("--txt-record=" + name + "," + record);
        }));
        return new Dnsmasq(NodeProcess.startCommand("dnsmasq", Path.of(System.getProperty("java.io.tmpdir")), command,
                Map.of(), Duration.ofSeconds(15), Dnsmasq::answers));
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/dnsmasq", "/sbin/dnsmasq", "/usr/bin/dnsmasq")) {
            if (Path.of(candidate).toFile().canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException("The DNS tests need dnsmasq (Debian: apt-get install dnsmasq-base; .ci/run "
                + "installs it)");
    }

    /** A TXT query for the ready record gets an answer (a bare DNS message over UDP). */
    private static boolean answers(int port) throws IOException {
        byte[] query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(query);
        for (String label : "ready.dnsmasq.test".split("\\.")) {
            out.write(label.length());
            out.write(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(new byte[] {0, 0, 16, 0, 1});
        byte[] bytes = out.toByteArray();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(500);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket answer = new DatagramPacket(new byte[512], 512);
            socket.receive(answer);
            return answer.getLength() > 12 && (answer.getData()[3] & 0x0f) == 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** "127.0.0.1:port" */
    public String address() {
        return "127.0.0.1:" + process.port();
    }

    @Override
    public void close() {
        process.close();
    }
}
