package dev.dispatch.floor.funqy;

import io.quarkus.funqy.Funq;
import java.util.Map;

/** The bare Funqy function: answers any JSON object. Only the cold-start benchmark runs it. */
public class PingFunction {
    @Funq
    public Map<String, Object> ping(Map<String, Object> input) {
        return Map.of("pong", input == null ? 0 : input.size());
    }
}
