package dev.dispatch.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Tells which of a function's processes holds the client end of a loopback TCP connection (Linux /proc): the
 * Runtime API is shared by all of a function's processes, and an invocation must be failed when the process that
 * took it dies.
 */
final class SocketOwners {
    private SocketOwners() {
    }

    /** The process among {@code candidates} owning the socket 127.0.0.1:clientPort to serverPort, or null. */
    static FunctionProcess find(Collection<FunctionProcess> candidates, int clientPort, int serverPort) {
        long inode = inode(clientPort, serverPort);
        if (inode <= 0) {
            return null;
        }
        String link = "socket:[" + inode + "]";
        for (FunctionProcess candidate : candidates) {
            Path fds = Path.of("/proc", Long.toString(candidate.pid()), "fd");
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
                for (Path fd : entries) {
                    try {
                        if (link.equals(Files.readSymbolicLink(fd).toString())) {
                            return candidate;
                        }
                    } catch (IOException | UnsupportedOperationException ignored) {
                        // fd closed meanwhile
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // process gone or no /proc
            }
        }
        return null;
    }

    private static long inode(int clientPort, int serverPort) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (int i = 1; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split("\\s+");
                    if (f.length < 10) {
                        continue;
                    }
                    if (port(f[1]) == clientPort && port(f[2]) == serverPort) {
                        return Long.parseLong(f[9]);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // table missing
            }
        }
        return -1;
    }

    private static int port(String hexAddress) {
        int colon = hexAddress.lastIndexOf(':');
        return Integer.parseInt(hexAddress.substring(colon + 1), 16);
    }
}
