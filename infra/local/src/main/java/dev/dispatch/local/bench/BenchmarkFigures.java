package dev.dispatch.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine-readable result of one benchmark: {@code target/benchmark-<name>.json}, a JSON array of
 * {@code {"figure","value","unit","goal","met","note"}} ({@code met} is true, false, or null for a figure without a
 * goal). {@link BenchmarkSummary} turns the files of every benchmark into one Markdown summary.
 */
public final class BenchmarkFigures {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ArrayNode figures = JSON.createArrayNode();

    /** A figure with a goal ({@code met} null when it has none). */
    public BenchmarkFigures add(String figure, double value, String unit, String goal, Boolean met, String note) {
        ObjectNode f = figures.addObject();
        f.put("figure", figure);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            f.putNull("value");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            f.put("value", (long) value);
        } else {
            f.put("value", Math.round(value * 100) / 100.0);
        }
        f.put("unit", unit);
        f.put("goal", goal == null ? "" : goal);
        if (met == null) {
            f.putNull("met");
        } else {
            f.put("met", met);
        }
        f.put("note", note == null ? "" : note);
        return this;
    }

    /** A figure without a goal. */
    public BenchmarkFigures info(String figure, double value, String unit, String note) {
        return add(figure, value, unit, "", null, note);
    }

    /** Writes {@code target/benchmark-<name>.json} (relative to the working directory, infra/local). */
    public Path write(String name) {
        return write(Path.of("target"), name);
    }

    /** Writes {@code <dir>/benchmark-<name>.json}. */
    public Path write(Path dir, String name) {
        Path out = dir.resolve("benchmark-" + name + ".json");
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, JSON.writeValueAsString(figures) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("Figures written to " + out.toAbsolutePath());
        return out;
    }
}
