package dev.dispatch.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The managed Java runtime's own pieces: the runtime interface client and the two libraries it needs, found on this
 * JVM's class path (they are dependencies of this module), and the client's JNI library extracted once.
 */
final class RuntimeJars {
    static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    /** One class from each jar the runtime puts on the class path (client, core, serialization, utils-lite). */
    private static final List<String> MARKER_CLASSES = List.of(
            MAIN_CLASS,
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.util.ReflectUtil",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");

    private RuntimeJars() {
    }

    /** The class path for a function process: only the runtime's jars, never this JVM's other dependencies. */
    static List<Path> classPath() {
        Set<Path> jars = new LinkedHashSet<>();
        ClassLoader loader = RuntimeJars.class.getClassLoader();
        for (String name : MARKER_CLASSES) {
            try {
                Class<?> type = Class.forName(name, false, loader);
                CodeSource source = type.getProtectionDomain().getCodeSource();
                if (source == null || source.getLocation() == null) {
                    throw new IllegalStateException("No code source for " + name);
                }
                jars.add(Path.of(source.getLocation().toURI()).toAbsolutePath());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("The Lambda runtime interface client is not on the class path (missing "
                        + name + "): add com.amazonaws:aws-lambda-java-runtime-interface-client", e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return new ArrayList<>(jars);
    }

    /** Extracts the client's JNI library for this platform into {@code dir} (once) and returns its path. */
    static synchronized Path jniLibrary(Path dir) {
        String name = jniName();
        Path target = dir.resolve(name);
        try (InputStream in = RuntimeJars.class.getClassLoader().getResourceAsStream("jni/" + name)) {
            if (in == null) {
                throw new IllegalStateException("The runtime interface client jar has no jni/" + name);
            }
            byte[] bytes = in.readAllBytes();
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
                return target;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract the runtime interface client's JNI library", e);
        }
    }

    private static String jniName() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String cpu = arch.contains("aarch64") || arch.contains("arm64") ? "aarch_64" : "x86_64";
        boolean musl = false;
        try (var files = Files.list(Path.of("/lib"))) {
            musl = files.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
        } catch (IOException | RuntimeException ignored) {
            // not Linux or no /lib: glibc build
        }
        return "libaws-lambda-jni." + (musl ? "linux_musl-" : "linux-") + cpu + ".so";
    }
}
