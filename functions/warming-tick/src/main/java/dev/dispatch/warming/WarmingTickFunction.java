package dev.dispatch.warming;

import dev.dispatch.domain.warming.WarmingDecision;
import dev.dispatch.domain.warming.WarmingTicker;
import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * EventBridge schedule (hourly): advances every enabled IP warm-up plan a day per UTC day and pauses, holds, steps
 * back or resumes it on its provider's bounce and complaint rates. The work is in {@link WarmingTicker}.
 */
public class WarmingTickFunction {
    private static final Logger LOG = Logger.getLogger(WarmingTickFunction.class);

    @RegisterForReflection
    public record Decision(String at, String plan, String action, String reason, String by, int dayBefore, int dayAfter,
            Map<String, Double> figures) {
        static Decision of(WarmingDecision d) {
            return new Decision(d.at().toString(), d.plan(), d.action().wireName(), d.reason(), d.by(), d.dayBefore(),
                    d.dayAfter(), d.figures());
        }
    }

    /** {@code plans}: the enabled plans ticked; {@code decisions}: what changed (none on most hours). */
    @RegisterForReflection
    public record Answer(String status, int plans, List<Decision> decisions) {}

    @Inject
    WarmingTicker ticker;

    @Funq
    public Answer warmingTick(Map<String, Object> scheduledEvent) {
        List<WarmingDecision> decisions = ticker.tick();
        // Plan names, actions and figures only: no addresses or keys in these lines.
        decisions.forEach(d -> LOG.infof("plan %s: %s (day %d -> %d): %s", d.plan(), d.action().wireName(),
                d.dayBefore(), d.dayAfter(), d.reason()));
        return new Answer("ticked", ticker.enabledPlans(), decisions.stream().map(Decision::of).toList());
    }
}
