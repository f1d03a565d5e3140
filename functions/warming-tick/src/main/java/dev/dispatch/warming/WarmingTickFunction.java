package dev.dispatch.warming;

import io.quarkus.funqy.Funq;
import java.util.Map;

public class WarmingTickFunction {
    @Funq
    public String warmingTick(Map<String, Object> event) {
        return "ok";
    }
}
