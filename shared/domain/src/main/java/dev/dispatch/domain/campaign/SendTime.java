package dev.dispatch.domain.campaign;

import dev.dispatch.domain.InvalidInputException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Send-time optimization: when each recipient gets the campaign. {@link Mode#LOCAL}: at {@code hour}:{@code minute}
 * in the recipient's own time zone; {@link Mode#BEST}: at the hour the recipient opens and clicks most (see
 * {@link SendTimePlanner} for the fallbacks; {@code hour} is the last one). {@code defaultZone} is the zone of a
 * recipient whose zone is neither on the profile nor inferable from their engagement.
 */
public record SendTime(Mode mode, int hour, int minute, String defaultZone) {

    /** The hour a "best" campaign falls back to when nobody of its audience has engagement history to learn from. */
    public static final int DEFAULT_BEST_HOUR = 10;

    public enum Mode {
        LOCAL("local"),
        BEST("best");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Mode fromWire(String value) {
            for (Mode m : values()) {
                if (m.wireName.equals(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(value);
        }
    }

    public ZoneId zone() {
        return ZoneId.of(defaultZone);
    }

    /** The local time of day the plan starts from, in minutes after midnight. */
    public int minuteOfDay() {
        return hour * 60 + minute;
    }

    /** A send-time request before validation. */
    public record Input(String mode, Integer hour, Integer minute, String defaultZone) {

        public SendTime validate() {
            if (mode == null || mode.isBlank()) {
                throw new InvalidInputException("sendTime.mode", "is required: local or best");
            }
            Mode validMode;
            try {
                validMode = Mode.fromWire(mode.strip().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("sendTime.mode", "'" + mode + "' is not a mode (local or best)");
            }
            Integer h = hour;
            if (h == null) {
                if (validMode == Mode.LOCAL) {
                    throw new InvalidInputException("sendTime.hour", "is required for mode local (0 to 23)");
                }
                h = DEFAULT_BEST_HOUR;
            }
            if (h < 0 || h > 23) {
                throw new InvalidInputException("sendTime.hour", "is " + h + "; must be between 0 and 23");
            }
            int m = minute == null ? 0 : minute;
            if (m < 0 || m > 59) {
                throw new InvalidInputException("sendTime.minute", "is " + m + "; must be between 0 and 59");
            }
            if (defaultZone == null || defaultZone.isBlank()) {
                throw new InvalidInputException("sendTime.defaultZone",
                        "is required: the IANA time zone of recipients whose own zone is unknown (e.g. Europe/Paris)");
            }
            String zone = defaultZone.strip();
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                throw new InvalidInputException("sendTime.defaultZone", "'" + zone
                        + "' is not a known time zone (use an IANA name such as Europe/Paris)");
            }
            return new SendTime(validMode, h, m, zone);
        }
    }
}
