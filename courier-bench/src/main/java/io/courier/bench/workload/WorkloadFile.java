package io.courier.bench.workload;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a workload file: a flat YAML map shaped like an OpenMessaging Benchmark (OMB) workload, into a
 * {@link Workload.Builder} holding the file's values over the builder's defaults.
 *
 * <p>OMB keys map onto Courier's flags: {@code name}, {@code topics}, {@code partitionsPerTopic} (partitions),
 * {@code messageSize} (message-size), {@code producersPerTopic} (producers, times {@code topics}: OMB counts per
 * topic), {@code subscriptionsPerTopic} (consumer-groups), {@code consumerPerSubscription} (consumers),
 * {@code producerRate} (rate over all producers; OMB's 0 searches for the highest sustainable rate, Courier's 0 sends
 * as fast as it can), {@code testDurationMinutes} (duration) and {@code warmupDurationMinutes} (warmup), where minutes
 * may be fractional ({@code 0.25} is 15 s), and {@code keyDistributor}: {@code NO_KEY} is keys {@code none},
 * {@code RANDOM_NANO} is {@code random}, and {@code KEY_ROUND_ROBIN} is a fixed set of 1000 keys used in turn (OMB
 * cycles through a large fixed key set; 1000 spreads evenly over any common partition count). The OMB keys
 * {@link #IGNORED} have no Courier equivalent and are ignored. Any other key must be one of Courier's flags
 * ({@code Workload.Builder#set}), in kebab-case ({@code replication-factor}) or camelCase ({@code replicationFactor}).
 * Without {@code name}, the workload is named after the file.
 *
 * <p>Every error is an {@link IllegalArgumentException} whose message starts with the file's name: a file that is not
 * a map, an unknown key (the message lists the accepted ones), a list or map as a value, two keys setting the same
 * parameter, or a value that {@link Workload.Builder#set} or {@link Workload.Builder#build()} rejects (the file is
 * validated on its own, over the defaults).
 */
public final class WorkloadFile {
    /** OMB keys with no Courier equivalent that do not change what is measured here. */
    public static final Set<String> IGNORED = Set.of("payloadFile", "consumerBacklogSizeGB", "useRandomizedPayloads",
            "randomBytesRatio", "randomizedPayloadPoolSize");

    private static final Map<String, String> OMB = Map.of("partitionsPerTopic", "partitions", "messageSize",
            "message-size", "producersPerTopic", "producers", "subscriptionsPerTopic", "consumer-groups",
            "consumerPerSubscription", "consumers", "producerRate", "rate", "testDurationMinutes", "duration",
            "warmupDurationMinutes", "warmup", "keyDistributor", "keys");
    private static final List<String> OMB_ORDER = List.of("name", "topics", "partitionsPerTopic", "messageSize",
            "producersPerTopic", "subscriptionsPerTopic", "consumerPerSubscription", "producerRate",
            "testDurationMinutes", "warmupDurationMinutes", "keyDistributor");
    private static final List<String> FLAGS = flags();
    private static final Map<String, String> KEY_DISTRIBUTORS = Map.of("NO_KEY", "none", "RANDOM_NANO", "random",
            "KEY_ROUND_ROBIN", "1000");
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private WorkloadFile() {}

    private static List<String> flags() {
        List<String> f = new ArrayList<>(List.of("name", "messages", "duration", "warmup"));
        f.addAll(Workload.SWEEPABLE);
        return List.copyOf(f);
    }

    /**
     * @param file a YAML workload file
     * @return a builder holding the file's values
     * @throws IllegalArgumentException naming the file, when it cannot be read or its content is not a valid
     *                                  workload
     */
    public static Workload.Builder load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read workload file '" + file + "' (" + e
                    + "); expected a YAML workload file, as in workloads/", e);
        }
        return parse(yaml, file.toString());
    }

    /**
     * @param yaml   the file's content
     * @param source the file's name, for messages and as the default workload name
     * @return a builder holding the file's values
     * @throws IllegalArgumentException whose message starts with {@code source}, when the content is not a valid
     *                                  workload
     */
    public static Workload.Builder parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a workload file must be a YAML map of key: value, but was "
                    + (root == null || root.isMissingNode() ? "empty" : "a " + root.getNodeType()
                            .toString().toLowerCase(Locale.ROOT)));
        }
        Map<String, String> values = new LinkedHashMap<>(); // flag -> value
        Map<String, String> keys = new LinkedHashMap<>(); // flag -> the key that set it
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String key = field.getKey();
            if (IGNORED.contains(key)) {
                continue;
            }
            String flag = OMB.getOrDefault(key, kebab(key));
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException(source + ": unknown key '" + key + "'; accepted: the OMB keys "
                        + String.join(", ", OMB_ORDER) + " (ignored: " + String.join(", ", IGNORED.stream().sorted()
                        .toList()) + ") or Courier's " + String.join(", ", FLAGS) + " (also in camelCase)");
            }
            JsonNode node = field.getValue();
            if (node.isContainerNode() || node.isNull()) {
                throw new IllegalArgumentException(source + ": key '" + key + "' must have a single value, but was "
                        + (node.isNull() ? "empty" : "a " + (node.isArray() ? "list" : "map")));
            }
            String previous = keys.putIfAbsent(flag, key);
            if (previous != null) {
                throw new IllegalArgumentException(source + ": keys '" + previous + "' and '" + key + "' both set "
                        + flag + "; keep one");
            }
            values.put(flag, value(source, key, node));
        }
        if (values.containsKey("messages") && values.containsKey("duration")) {
            throw new IllegalArgumentException(source + ": keys '" + keys.get("messages") + "' and '"
                    + keys.get("duration") + "' conflict: a run is either a number of messages or a duration");
        }
        if ("producersPerTopic".equals(keys.get("producers"))) {
            long perTopic = whole(source, "producersPerTopic", values.get("producers"));
            long topics = values.containsKey("topics") ? whole(source, keys.get("topics"), values.get("topics")) : 1;
            try {
                values.put("producers", Long.toString(Math.multiplyExact(perTopic, topics)));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(source + ": producersPerTopic x topics is too large", e);
            }
        }
        Workload.Builder builder = Workload.builder();
        if (!values.containsKey("name")) {
            builder.set("name", baseName(source));
        }
        values.forEach((flag, value) -> {
            try {
                builder.set(flag, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": key '" + keys.get(flag) + "': " + e.getMessage(), e);
            }
        });
        try {
            builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return builder;
    }

    /** @return the node as the text {@code set} expects, translating OMB's minutes and key distributors */
    private static String value(String source, String key, JsonNode node) {
        String text = node.isFloatingPointNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0
                ? node.decimalValue().toBigInteger().toString() : node.asText();
        switch (key) {
            case "testDurationMinutes", "warmupDurationMinutes" -> {
                BigDecimal minutes;
                try {
                    minutes = new BigDecimal(text.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(source + ": key '" + key + "' must be a number of minutes, but "
                            + "was '" + text + "'", e);
                }
                if (minutes.signum() < 0) {
                    throw new IllegalArgumentException(source + ": key '" + key + "' must be 0 or more minutes, but "
                            + "was " + text);
                }
                long ms = minutes.multiply(BigDecimal.valueOf(60_000)).setScale(0, RoundingMode.HALF_UP)
                        .longValueExact();
                return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
            }
            case "keyDistributor" -> {
                String keys = KEY_DISTRIBUTORS.get(text.trim().toUpperCase(Locale.ROOT));
                if (keys == null) {
                    throw new IllegalArgumentException(source + ": key 'keyDistributor' must be NO_KEY, RANDOM_NANO or "
                            + "KEY_ROUND_ROBIN, but was '" + text + "'");
                }
                return keys;
            }
            default -> {
                return text;
            }
        }
    }

    private static long whole(String source, String key, String text) {
        try {
            return Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key '" + key + "' must be a whole number, but was '" + text
                    + "'", e);
        }
    }

    /** @return {@code replicationFactor} as {@code replication-factor}; kebab-case is returned unchanged */
    private static String kebab(String key) {
        StringBuilder b = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append(i == 0 ? "" : "-").append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @return the file name without directories and extension */
    private static String baseName(String source) {
        String name = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return base.isBlank() ? "workload" : base;
    }
}
