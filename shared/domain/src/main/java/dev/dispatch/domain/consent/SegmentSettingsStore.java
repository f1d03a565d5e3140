package dev.dispatch.domain.consent;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Where segments' consent settings live. */
public interface SegmentSettingsStore {
    Optional<SegmentSettings> find(String segment);

    /** The settings of those segments that have any (others are left out). */
    Map<String, SegmentSettings> findAll(Collection<String> segments);

    /** Stores new settings only if the stored version is still {@code version - 1}; false otherwise. */
    boolean put(SegmentSettings settings);
}
