package dev.dispatch.domain.engagement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The recipient domain a delivery counter is kept under: the mailbox provider that filters the mail, not the
 * address's own domain. Counters hold these group names only, never an address (addresses are personal data).
 *
 * <p>Why groups, and why everything else is {@value #OTHER}: reputation is earned per mailbox operator (Gmail
 * filters gmail.com and googlemail.com alike; Microsoft filters outlook.com, hotmail.*, live.* and msn.com with one
 * system), so the operator is the unit worth counting. The table below is the documented top-N: the consumer mailbox
 * operators that together hold the great majority of consumer addresses in Europe and the Americas, plus the largest
 * Russian, Chinese and Korean ones. Every other domain is counted as {@value #OTHER} rather than by its own name,
 * because the counters live as attributes on items that every batch updates (a campaign's counters, a provider's day):
 * a per-domain counter for each company or vanity domain would make those items - and the cost of every update and
 * every report read - grow with the audience (a business list of a million addresses can hold a hundred thousand
 * domains). Bounded this way, a counter item holds at most {@code (groups + 1) x counters} domain attributes.
 * A company domain hosted by Google or Microsoft is still {@value #OTHER}: telling that needs an MX lookup, which
 * the counting path does not make.
 */
public final class RecipientDomains {
    /** Every domain outside the table. */
    public static final String OTHER = "other";
    /** Counter names: {@code domain.<group>.<counter>} (group names hold dots, counter names don't). */
    public static final String PREFIX = "domain.";

    private static final Map<String, String> GROUP_OF = new LinkedHashMap<>();

    static {
        group("gmail.com", "gmail.com", "googlemail.com");
        group("outlook.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "windowslive.com", "passport.com",
                "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es", "live.co.uk", "live.fr",
                "live.de", "live.it", "outlook.de", "outlook.fr", "outlook.es", "outlook.it");
        // Yahoo's mail platform also serves AOL (same owner) and the AT&T and Verizon consumer mailboxes.
        group("yahoo.com", "yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
                "yahoo.it", "yahoo.es", "yahoo.ca", "aol.com", "aim.com", "aol.co.uk", "aol.de", "att.net",
                "sbcglobal.net", "bellsouth.net", "verizon.net");
        group("icloud.com", "icloud.com", "me.com", "mac.com");
        // GMX and WEB.DE: one operator (United Internet), one filter.
        group("gmx.net", "gmx.net", "gmx.de", "gmx.com", "gmx.at", "gmx.ch", "web.de");
        group("t-online.de", "t-online.de");
        group("orange.fr", "orange.fr", "wanadoo.fr");
        group("free.fr", "free.fr");
        group("libero.it", "libero.it");
        group("comcast.net", "comcast.net");
        group("proton.me", "proton.me", "protonmail.com", "protonmail.ch", "pm.me");
        group("zoho.com", "zoho.com", "zohomail.com");
        group("fastmail.com", "fastmail.com", "fastmail.fm");
        group("mail.ru", "mail.ru", "bk.ru", "inbox.ru", "list.ru");
        group("yandex.ru", "yandex.ru", "yandex.com", "ya.ru");
        group("qq.com", "qq.com", "foxmail.com");
        group("163.com", "163.com", "126.com", "yeah.net");
        group("naver.com", "naver.com");
    }

    private RecipientDomains() {}

    private static void group(String name, String... domains) {
        for (String d : domains) {
            GROUP_OF.put(d, name);
        }
    }

    /** The group names of the table, then {@value #OTHER}. */
    public static List<String> groups() {
        List<String> names = new java.util.ArrayList<>(GROUP_OF.values().stream().distinct().toList());
        names.add(OTHER);
        return names;
    }

    /** The group of an address's domain (after its last '@'), or of a bare domain; {@value #OTHER} if none. */
    public static String groupOf(String addressOrDomain) {
        if (addressOrDomain == null) {
            return OTHER;
        }
        int at = addressOrDomain.lastIndexOf('@');
        String domain = addressOrDomain.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1); // a fully qualified name is the same domain
        }
        return GROUP_OF.getOrDefault(domain, OTHER);
    }

    /** Whether the group is a known operator (not {@value #OTHER}). */
    public static boolean known(String group) {
        return !OTHER.equals(group);
    }

    /** {@code domain.<group>.<counter>}. */
    public static String counter(String group, String counter) {
        return PREFIX + group + "." + counter;
    }

    /** Whether a counter name is a per-domain one. */
    public static boolean isDomainCounter(String name) {
        return name.startsWith(PREFIX) && name.lastIndexOf('.') > PREFIX.length();
    }

    /** The per-domain counters among {@code counts}, by group then counter (both sorted). */
    public static Map<String, Map<String, Long>> split(Map<String, Long> counts) {
        Map<String, Map<String, Long>> byGroup = new TreeMap<>();
        counts.forEach((name, n) -> {
            if (isDomainCounter(name)) {
                int last = name.lastIndexOf('.');
                byGroup.computeIfAbsent(name.substring(PREFIX.length(), last), g -> new TreeMap<>())
                        .put(name.substring(last + 1), n);
            }
        });
        return byGroup;
    }

    /** {@code counts} without the per-domain counters. */
    public static Map<String, Long> withoutDomains(Map<String, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((name, n) -> {
            if (!isDomainCounter(name)) {
                out.put(name, n);
            }
        });
        return out;
    }
}
