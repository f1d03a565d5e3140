package dev.dispatch.adapter.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dispatch.domain.config.ConfigException;
import dev.dispatch.domain.config.ProviderCatalog;
import dev.dispatch.domain.config.ProviderSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the operator-edited files of {@code config/} (shipped on the classpath under {@code dispatch-config/}).
 * Parsing is strict about names and types - an unknown or misspelt field is an error, not silently ignored - and
 * every problem becomes a {@link ConfigException} naming the file and the field.
 */
public final class ConfigFiles {
    public static final String CLASSPATH_DIR = "dispatch-config/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigFiles() {}

    /** The shipped file's tree; a missing or unparseable file names itself. */
    public static JsonNode read(String file) {
        try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + file)) {
            if (in == null) {
                throw new ConfigException(file, "(file)", "not found on the classpath under " + CLASSPATH_DIR);
            }
            return parse(file, in);
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "cannot be read: " + e.getMessage());
        }
    }

    /**
     * The file from {@code dir} when one is given (environment variable {@code DISPATCH_CONFIG_DIR}: tests and the
     * benchmark point at files with other rates), else the shipped one. A directory without the file is an error,
     * not a silent fallback to the shipped settings.
     */
    public static JsonNode read(String file, Optional<Path> dir) {
        if (dir.isEmpty()) {
            return read(file);
        }
        Path path = dir.get().resolve(file);
        try (InputStream in = Files.newInputStream(path)) {
            return parse(file, in);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "(file)", "not found in " + dir.get() + " (DISPATCH_CONFIG_DIR)");
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "cannot be read from " + dir.get() + ": " + e.getMessage());
        }
    }

    public static JsonNode parse(String file, InputStream in) {
        try {
            JsonNode tree = YAML.readTree(in);
            if (tree == null || !tree.isObject()) {
                throw new ConfigException(file, "(file)", "must be a YAML mapping");
            }
            return tree;
        } catch (IOException e) {
            throw new ConfigException(file, "(file)", "is not valid YAML: " + firstLine(e.getMessage()));
        }
    }

    /** Binds {@code node} to {@code type}; a wrong type or unknown field names the path below {@code field}. */
    public static <T> T bind(String file, String field, JsonNode node, Class<T> type) {
        try {
            return YAML.treeToValue(node, type);
        } catch (JsonMappingException e) {
            StringBuilder path = new StringBuilder(field);
            for (JsonMappingException.Reference ref : e.getPath()) {
                path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
            throw new ConfigException(file, path.toString(), firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(file, field, firstLine(e.getMessage()));
        }
    }

    /** {@code providers.yaml} from the classpath. */
    public static ProviderCatalog providers() {
        return providers(read(ProviderCatalog.FILE));
    }

    /** {@code providers.yaml} from {@code dir} if given, else from the classpath. */
    public static ProviderCatalog providers(Optional<Path> dir) {
        return providers(read(ProviderCatalog.FILE, dir));
    }

    public static ProviderCatalog providers(JsonNode tree) {
        String file = ProviderCatalog.FILE;
        JsonNode providers = tree.get("providers");
        if (providers == null || !providers.isObject()) {
            throw new ConfigException(file, "providers", "a mapping of provider name to settings is required");
        }
        Iterator<String> top = tree.fieldNames();
        while (top.hasNext()) {
            String name = top.next();
            if (!name.equals("providers")) {
                throw new ConfigException(file, name, "unknown field");
            }
        }
        List<ProviderSettings> settings = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "providers." + entry.getKey();
            ProviderEntry e = bind(file, field, entry.getValue(), ProviderEntry.class);
            settings.add(new ProviderSettings(entry.getKey(), required(file, field, "ratePerSecond", e.ratePerSecond),
                    required(file, field, "dailyQuota", e.dailyQuota), required(file, field, "batchSize", e.batchSize),
                    e.enabled == null || e.enabled, e.ipPools == null ? List.of() : e.ipPools));
        }
        return ProviderCatalog.of(settings);
    }

    private static <T> T required(String file, String field, String name, T value) {
        if (value == null) {
            throw new ConfigException(file, field + "." + name, "is required");
        }
        return value;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The file's shape for one provider; public fields so Jackson binds it without reflection config surprises. */
    public static final class ProviderEntry {
        public Integer ratePerSecond;
        public Long dailyQuota;
        public Integer batchSize;
        public Boolean enabled;
        public List<String> ipPools;
    }
}
