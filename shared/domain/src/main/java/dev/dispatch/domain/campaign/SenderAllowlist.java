package dev.dispatch.domain.campaign;

import dev.dispatch.domain.InvalidInputException;
import dev.dispatch.domain.subscriber.EmailAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The From addresses campaigns may use: whole domains ({@code example.com}) and single addresses
 * ({@code news@other.org}), configured once per stack (template parameter {@code SenderAllowlist}).
 *
 * <p>Matching: the domain part is compared without regard to case (domains are case-insensitive, and
 * {@link EmailAddress} lower-cases it); the local part of an address entry must match exactly, as SES treats the
 * local part of an identity as case-sensitive and the template's IAM condition on {@code ses:FromAddress} compares
 * case-sensitively. A domain entry covers that domain only, not its subdomains: {@code example.com} does not allow
 * {@code news@mail.example.com} (list {@code mail.example.com} too), the same rule the IAM condition
 * {@code *@example.com} applies.
 */
public final class SenderAllowlist {
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+");

    private final Set<String> domains;
    private final Set<String> addresses;

    private SenderAllowlist(Set<String> domains, Set<String> addresses) {
        this.domains = Set.copyOf(domains);
        this.addresses = Set.copyOf(addresses);
    }

    /**
     * Reads a comma-separated list of domains and addresses, e.g. {@code "example.com, news@other.org"}.
     *
     * @throws IllegalArgumentException if it is empty (no campaign could ever be created) or an entry is neither a
     *     domain nor an address
     */
    public static SenderAllowlist parse(String commaSeparated) {
        Set<String> domains = new LinkedHashSet<>();
        Set<String> addresses = new LinkedHashSet<>();
        for (String raw : commaSeparated == null ? new String[0] : commaSeparated.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.contains("@")) {
                try {
                    addresses.add(EmailAddress.parse(entry, "sender").value());
                } catch (InvalidInputException e) {
                    throw new IllegalArgumentException("sender allowlist entry '" + entry + "' is not a valid address");
                }
            } else {
                String domain = entry.toLowerCase(Locale.ROOT);
                if (!DOMAIN.matcher(domain).matches()) {
                    throw new IllegalArgumentException("sender allowlist entry '" + entry + "' is not a domain name");
                }
                domains.add(domain);
            }
        }
        if (domains.isEmpty() && addresses.isEmpty()) {
            throw new IllegalArgumentException("the sender allowlist is empty: no campaign could be sent");
        }
        return new SenderAllowlist(domains, addresses);
    }

    public boolean allows(EmailAddress from) {
        return addresses.contains(from.value()) || domains.contains(from.domain());
    }

    /** Refuses a From address outside the list, naming the field. */
    public void check(EmailAddress from, String field) {
        if (!allows(from)) {
            throw new InvalidInputException(field, "'" + from.value() + "' is not an allowed sender (allowed: "
                    + describe() + ")");
        }
    }

    private String describe() {
        List<String> parts = new ArrayList<>();
        domains.stream().sorted().map(d -> "any address @" + d).forEach(parts::add);
        addresses.stream().sorted().forEach(parts::add);
        return String.join(", ", parts);
    }
}
