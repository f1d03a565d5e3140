package dev.dispatch.warming;

import io.quarkus.funqy.Funq;
import java.util.Map;
import org.jboss.logging.Logger;

/** Advances IP warm-up plans on a schedule. Not built yet: the tick says so instead of reporting progress. */
public class WarmingTickFunction {
    private static final Logger LOG = Logger.getLogger(WarmingTickFunction.class);

    @Funq
    public Map<String, String> warmingTick(Map<String, Object> scheduledEvent) {
        LOG.warn("warming-tick is not implemented yet: no warm-up plan was advanced");
        return Map.of("status", "not-implemented");
    }
}
