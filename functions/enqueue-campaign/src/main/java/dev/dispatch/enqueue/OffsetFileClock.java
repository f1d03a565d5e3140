package dev.dispatch.enqueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Test profile only (see {@link Wiring#clock}): the system clock plus an ISO-8601 duration read from a file at every
 * look, so an end-to-end test can move enqueue-campaign's time forward (past an A/B test's wait) while it runs. No
 * file or an empty one: no offset.
 */
final class OffsetFileClock extends Clock {
    private final Path file;

    OffsetFileClock(Path file) {
        this.file = file;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset());
    }

    private Duration offset() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Duration.ZERO : Duration.parse(text);
        } catch (NoSuchFileException e) {
            return Duration.ZERO;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a UTC test clock");
    }
}
