package dev.dispatch.domain.analytics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What sending 1,000 messages costs through each provider, for the provider comparison's cost estimate: a setting
 * {@code provider=price,...} (e.g. {@code ses=0.10,sendgrid=0.90}), in the account's currency. A provider without a
 * price gets no estimate rather than a made-up one.
 */
public record ProviderPrices(Map<String, Double> perThousand) {

    public ProviderPrices {
        perThousand = Map.copyOf(perThousand);
    }

    /**
     * Parses the setting; a malformed entry is refused with the setting's name, the entry and what is wrong.
     *
     * @param setting the setting's name, for the error (e.g. {@code dispatch.report.prices})
     */
    public static ProviderPrices parse(String text, String setting) {
        Map<String, Double> prices = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return new ProviderPrices(prices);
        }
        for (String entry : text.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String name = eq < 0 ? "" : trimmed.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (!name.matches("[a-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException(setting + ": entry '" + trimmed + "' must be provider=price, e.g. ses=0.10");
            }
            double price;
            try {
                price = Double.parseDouble(trimmed.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(setting + ": the price of " + name + " is not a number");
            }
            if (!(price >= 0) || Double.isInfinite(price)) {
                throw new IllegalArgumentException(setting + ": the price of " + name + " must be 0 or more");
            }
            if (prices.put(name, price) != null) {
                throw new IllegalArgumentException(setting + ": " + name + " is priced twice");
            }
        }
        return new ProviderPrices(prices);
    }

    /** The estimated cost of {@code sent} messages through {@code provider}, or null when it has no price. */
    public Double cost(String provider, long sent) {
        Double price = perThousand.get(provider);
        return price == null ? null : price * sent / 1000.0;
    }
}
