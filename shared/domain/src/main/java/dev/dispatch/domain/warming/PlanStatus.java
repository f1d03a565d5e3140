package dev.dispatch.domain.warming;

import java.util.Locale;

/** Where a warming plan stands. */
public enum PlanStatus {
    /** Following the schedule: one day further each UTC day. */
    WARMING,
    /** Rates between the warning and the pause levels: the day does not advance. */
    HOLDING,
    /** Rates at or over a pause level: nothing is released; warming-tick resumes it when the rates recover. */
    PAUSED,
    /** Paused by an operator through the API: only an operator resumes it. */
    OPERATOR_PAUSED,
    /** Past the schedule's last day: no warming cap any more. */
    WARM;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PlanStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Whether the plan releases nothing at all. */
    public boolean stopped() {
        return this == PAUSED || this == OPERATOR_PAUSED;
    }
}
