package dev.dispatch.domain.config;

/**
 * A configuration file (or a run-time override of it) that cannot be used. The message always names the file, the
 * field (a dotted path such as {@code providers.ses.ratePerSecond}) and the problem, so whoever edited it can fix
 * it without reading code.
 */
public class ConfigException extends RuntimeException {
    private final String file;
    private final String field;
    private final String problem;

    public ConfigException(String file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
