package dev.dispatch.local.bench;

import dev.dispatch.local.LocalCloud;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the benchmarks read off the running local cloud: the AWS calls its functions counted, and CPU time per process. */
final class ProcessMeters {
    private ProcessMeters() {}

    /**
     * Every function's AWS calls and DynamoDB capacity units so far, summed per function name: the files
     * {@code <function name>-<pid>.counts} that {@code dev.dispatch.adapter.metrics.AwsCallCounter} keeps in
     * {@code countsDir} (one {@code key=value} per line) while its environment variable names that folder.
     */
    static Map<String, Map<String, Double>> awsCalls(Path countsDir) throws IOException {
        Map<String, Map<String, Double>> byFunction = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(countsDir, "*.counts")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String function = name.substring(0, name.lastIndexOf('-'));
                Map<String, Double> sums = byFunction.computeIfAbsent(function, f -> new TreeMap<>());
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        sums.merge(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)), Double::sum);
                    }
                }
            }
        }
        return byFunction;
    }

    /**
     * CPU seconds (user + system) so far of dynalite, of each listed function's live processes, and of this JVM
     * (ElasticMQ, the gateway, the pollers, the benchmark's own clients and stubs), under {@code thisJvm}.
     */
    static Map<String, Double> cpuSeconds(LocalCloud cloud, List<String> functions, String thisJvm) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("dynalite", cpuOf(cloud.localAws().dynalite().processHandle().pid()));
        for (String id : functions) {
            double sum = 0;
            for (long pid : cloud.function(id).pids()) {
                sum += cpuOf(pid);
            }
            cpu.put(id, sum);
        }
        cpu.put(thisJvm, cpuOf(ProcessHandle.current().pid()));
        return cpu;
    }

    /** From /proc/<pid>/stat; 0 when the process is gone. */
    static double cpuOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
