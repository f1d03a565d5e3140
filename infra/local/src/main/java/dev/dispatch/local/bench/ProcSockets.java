package dev.dispatch.local.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** Which process holds the local end 127.0.0.1:port of a TCP connection (Linux /proc), to kill the caller of a call. */
final class ProcSockets {
    private ProcSockets() {}

    static Long owner(Collection<Long> pids, int localPort) {
        long inode = inode(localPort);
        if (inode <= 0) {
            return null;
        }
        String link = "socket:[" + inode + "]";
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (link.equals(Files.readSymbolicLink(fd).toString())) {
                            return pid;
                        }
                    } catch (IOException | UnsupportedOperationException ignored) {
                        // closed meanwhile
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // gone
            }
        }
        return null;
    }

    private static long inode(int localPort) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (int i = 1; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split("\\s+");
                    if (f.length >= 10 && port(f[1]) == localPort && !"0".equals(f[9])) {
                        return Long.parseLong(f[9]);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // no such table
            }
        }
        return -1;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    }
}
