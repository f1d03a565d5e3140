package dev.dispatch.adapter.webhook;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each certificate once fetched, for the life of the container: SNS signs with few certificates and rotates
 * them rarely, under a new URL. Failures are not cached. A full cache is emptied rather than grown, so a flood of
 * distinct (valid SNS) URLs can't exhaust memory.
 */
public class CachingCertificateSource implements CertificateSource {
    static final int DEFAULT_MAX_ENTRIES = 32;

    private final CertificateSource delegate;
    private final int maxEntries;
    private final Map<URI, String> cache = new ConcurrentHashMap<>();

    public CachingCertificateSource(CertificateSource delegate) {
        this(delegate, DEFAULT_MAX_ENTRIES);
    }

    public CachingCertificateSource(CertificateSource delegate, int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.delegate = delegate;
        this.maxEntries = maxEntries;
    }

    @Override
    public String pem(URI url) throws IOException {
        String cached = cache.get(url);
        if (cached != null) {
            return cached;
        }
        // Two concurrent first requests may both fetch: harmless, and no lock is held during network I/O.
        String fetched = delegate.pem(url);
        if (cache.size() >= maxEntries) {
            cache.clear();
        }
        cache.put(url, fetched);
        return fetched;
    }
}
