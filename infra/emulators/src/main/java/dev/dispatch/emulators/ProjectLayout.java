package dev.dispatch.emulators;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project root: system property {@code dispatch.project.dir}, else walk up from the working directory
 * to the folder holding {@code template.yaml}.
 */
public final class ProjectLayout {

    /** System property naming the project root explicitly. */
    public static final String PROJECT_DIR_PROPERTY = "dispatch.project.dir";

    private ProjectLayout() {
    }

    /** The project root (the folder holding template.yaml). */
    public static Path root() {
        String explicit = System.getProperty(PROJECT_DIR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p.resolve("template.yaml"))) {
                throw new IllegalStateException("-D" + PROJECT_DIR_PROPERTY + "=" + explicit + " does not hold template.yaml");
            }
            return p;
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("template.yaml")) && Files.isDirectory(p.resolve("infra"))) {
                return p;
            }
        }
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("template.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("No template.yaml found in " + start + " or any parent folder; set -D"
                + PROJECT_DIR_PROPERTY + "=<project root>");
    }

    /** System property naming the infra folder explicitly (the root pom defines a property of this name). */
    public static final String INFRA_DIR_PROPERTY = "dispatch.infra.dir";

    /**
     * {@code root()/infra}: holds package.json and node_modules of the Node stand-ins. System property
     * {@code dispatch.infra.dir}, when set, wins.
     */
    public static Path infraDir() {
        String explicit = System.getProperty(INFRA_DIR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        return root().resolve("infra");
    }
}
