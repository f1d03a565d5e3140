package dev.dispatch.adapter.content;

import dev.dispatch.domain.content.SenderDns;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** TXT lookups with dnsjava, uncached (a record just fixed shows at once), through the given or the system resolver. */
public final class DnsJavaLookup implements SenderDns {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final Resolver resolver;

    private DnsJavaLookup(Resolver resolver) {
        this.resolver = resolver;
    }

    /** The system's resolvers (resolv.conf; in Lambda, the VPC's). */
    public static DnsJavaLookup system() {
        ExtendedResolver resolver = new ExtendedResolver();
        resolver.setTimeout(TIMEOUT);
        return new DnsJavaLookup(resolver);
    }

    /** One DNS server, e.g. "127.0.0.1:5353" (port 53 when none). */
    public static DnsJavaLookup server(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        String host = colon > 0 ? hostAndPort.substring(0, colon) : hostAndPort;
        int port = colon > 0 ? Integer.parseInt(hostAndPort.substring(colon + 1)) : 53;
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(host, port));
        resolver.setTimeout(TIMEOUT);
        return new DnsJavaLookup(resolver);
    }

    @Override
    public List<String> txt(String name) {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), Type.TXT);
        } catch (TextParseException e) {
            return List.of(); // not a DNS name: nothing can be published there
        }
        lookup.setResolver(resolver);
        lookup.setCache(null);
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<String> texts = new ArrayList<>();
                for (Record record : records) {
                    if (record instanceof TXTRecord txt) {
                        texts.add(String.join("", txt.getStrings()));
                    }
                }
                return texts;
            }
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> {
                return List.of();
            }
            default -> throw new LookupFailedException(lookup.getErrorString());
        }
    }
}
