package dev.dispatch.domain.subscriber;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.consent.OptInPolicy;
import dev.dispatch.domain.consent.SegmentSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bulk import. Every valid row is imported, every other row is reported with its number and reason. Idempotent:
 * a row whose content is already stored causes no write, so re-importing a file changes nothing. It never lifts a
 * suppression: suppressions live apart from profiles and an import writes profiles only.
 *
 * <p>Rows are processed in chunks: one batched read of the chunk's current state, then batched writes of the
 * memberships and profiles that changed, then one counter update for the chunk. Chunks run in parallel.
 */
public class SubscriberImport {
    public static final int CHUNK_SIZE = 100;

    private final SubscriberStore store;
    private final SubscriberCounters counters;
    private final Clock clock;
    private final ExecutorService executor;
    /** Null: no double opt-in and no consent records. */
    private final OptInPolicy optIns;

    public SubscriberImport(SubscriberStore store, SubscriberCounters counters, Clock clock, ExecutorService executor) {
        this(store, counters, clock, executor, null);
    }

    public SubscriberImport(SubscriberStore store, SubscriberCounters counters, Clock clock, ExecutorService executor,
            OptInPolicy optIns) {
        this.store = store;
        this.counters = counters;
        this.clock = clock;
        this.executor = executor;
        this.optIns = optIns;
    }

    private record ValidRow(int row, EmailAddress email, SubscriberDetails details) {}

    public ImportReport run(List<ImportRow> rows, String source) {
        return run(rows, source, OptInPolicy.Origin.of("import", null));
    }

    /** @param origin how the rows came in, for their consent records (method import, the import's id and key id) */
    public ImportReport run(List<ImportRow> rows, String source, OptInPolicy.Origin origin) {
        List<ImportReport.RejectedRow> rejected = Collections.synchronizedList(new ArrayList<>());
        List<ImportReport.SkippedRow> suppressed = Collections.synchronizedList(new ArrayList<>());
        List<ValidRow> valid = validate(rows, rejected);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger updated = new AtomicInteger();
        AtomicInteger unchanged = new AtomicInteger();
        String importSource = source == null ? "import" : source;

        // The opt-in settings of every segment the file names, read once (a row can only add segments it names).
        Map<String, SegmentSettings> settings = Map.of();
        if (optIns != null) {
            Set<String> named = new HashSet<>();
            valid.stream().map(row -> row.details().segments()).filter(Objects::nonNull).forEach(named::addAll); // null: none named
            settings = optIns.settingsOf(named);
        }
        Map<String, SegmentSettings> segmentSettings = settings;
        List<Future<?>> chunks = new ArrayList<>();
        for (int start = 0; start < valid.size(); start += CHUNK_SIZE) {
            List<ValidRow> chunk = valid.subList(start, Math.min(valid.size(), start + CHUNK_SIZE));
            chunks.add(executor.submit(() -> importChunk(chunk, importSource, origin, segmentSettings, created, updated,
                    unchanged, suppressed, rejected)));
        }
        await(chunks);

        List<ImportReport.SkippedRow> skipped = new ArrayList<>(suppressed);
        skipped.sort(Comparator.comparingInt(ImportReport.SkippedRow::row));
        List<ImportReport.RejectedRow> errors = new ArrayList<>(rejected);
        errors.sort(Comparator.comparingInt(ImportReport.RejectedRow::row));
        return new ImportReport(rows.size(), created.get(), updated.get(), unchanged.get(), skipped, errors);
    }

    private static List<ValidRow> validate(List<ImportRow> rows, List<ImportReport.RejectedRow> rejected) {
        List<ValidRow> valid = new ArrayList<>(rows.size());
        Map<EmailAddress, Integer> firstRowOf = new HashMap<>();
        for (ImportRow row : rows) {
            if (row.parseError() != null) {
                rejected.add(new ImportReport.RejectedRow(row.row(), row.parseErrorField(), row.parseError()));
                continue;
            }
            try {
                EmailAddress email = EmailAddress.parse(row.email());
                SubscriberDetails details = SubscriberDetails.of(
                        row.firstName(), row.lastName(), row.attributes(), row.segments(), row.timeZone());
                Integer first = firstRowOf.putIfAbsent(email, row.row());
                if (first != null) {
                    rejected.add(new ImportReport.RejectedRow(row.row(), "email", "duplicate of row " + first + " in this file"));
                    continue;
                }
                valid.add(new ValidRow(row.row(), email, details));
            } catch (InvalidInputException e) {
                rejected.add(new ImportReport.RejectedRow(row.row(), e.field(), e.reason()));
            }
        }
        return valid;
    }

    private void importChunk(List<ValidRow> chunk, String source, OptInPolicy.Origin origin,
            Map<String, SegmentSettings> segmentSettings, AtomicInteger created, AtomicInteger updated,
            AtomicInteger unchanged, List<ImportReport.SkippedRow> suppressed, List<ImportReport.RejectedRow> rejected) {
        Instant now = clock.instant();
        Map<EmailAddress, Subscriber> current = store.findAll(chunk.stream().map(ValidRow::email).toList());
        List<Subscriber> writes = new ArrayList<>();
        List<SegmentMembership> newMemberships = new ArrayList<>();
        CounterDelta delta = new CounterDelta();
        List<Map.Entry<EmailAddress, OptInPolicy.Decision>> confirmations = new ArrayList<>();
        for (ValidRow row : chunk) {
            Subscriber before = current.get(row.email());
            if (before != null && before.status() == SubscriberStatus.ERASED) {
                rejected.add(new ImportReport.RejectedRow(row.row(), "email", SubscriberService.ERASED_REASON));
                continue;
            }
            if (before != null && before.status().suppressed()) {
                suppressed.add(new ImportReport.SkippedRow(row.row(), row.email().value(), before.status().wireName()));
                continue;
            }
            Subscriber after = before == null
                    ? Subscriber.create(row.email(), row.details(), source, now)
                    : before.mergingImport(row.details(), now);
            if (optIns != null) {
                OptInPolicy.Decision decision = optIns.decide(before, after, false, origin, segmentSettings);
                after = decision.subscriber();
                if (!decision.newRequests().isEmpty() || !decision.standing().isEmpty()) {
                    confirmations.add(Map.entry(after.email(), decision));
                }
            }
            if (after == before) {
                unchanged.incrementAndGet();
                continue;
            }
            for (String segment : after.segments()) {
                if (before == null || !before.segments().contains(segment)) {
                    newMemberships.add(new SegmentMembership(segment, row.email()));
                }
            }
            writes.add(after);
            delta.record(before, after);
            (before == null ? created : updated).incrementAndGet();
        }
        // Memberships first: a crash after them leaves extra index entries (filtered on read), never a member
        // missing from its segment. A re-run of the same file then writes the profiles.
        store.addMemberships(newMemberships);
        store.writeProfiles(writes);
        counters.apply(delta);
        // After the profiles that hold the pending requests: each mail once (see ConfirmationMail).
        confirmations.forEach(c -> optIns.sendConfirmations(c.getKey(), c.getValue()));
    }

    private static void await(List<Future<?>> futures) {
        RuntimeException failure = null;
        for (Future<?> future : futures) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("import interrupted", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
