package io.courier.core.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.courier.core.Serde;
import io.courier.core.SerdeException;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * JSON through Jackson. For a sealed type, each permitted concrete class is known by its simple name, which the
 * envelope's message type carries; the payload itself stays the plain JSON of the record.
 */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;
    private final ObjectMapper mapper;
    private final Map<String, Class<? extends T>> subtypes;

    public JsonSerde(Class<T> type, ObjectMapper mapper) {
        this.type = Objects.requireNonNull(type, "type");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        TreeMap<String, Class<? extends T>> found = new TreeMap<>();
        if (type.isSealed()) {
            collect(type, type, found);
        }
        this.subtypes = java.util.Collections.unmodifiableSortedMap(found); // sorted: stable error messages
    }

    /** Shared: a configured mapper is thread-safe, and serdes with the same mapper and type are then equal. */
    private static final ObjectMapper DEFAULT_MAPPER = newDefaultMapper();

    /** @return a copy of Courier's default mapper, to configure further */
    public static ObjectMapper defaultMapper() {
        return DEFAULT_MAPPER.copy();
    }

    /** @return a serde with the default mapper that every such serde shares: it is never reconfigured */
    public static <T> JsonSerde<T> withDefaultMapper(Class<T> type) {
        return new JsonSerde<>(type, DEFAULT_MAPPER);
    }

    private static ObjectMapper newDefaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                // Optional, OptionalInt...: empty is written as null, and a field that is null or absent reads as
                // empty, so a reader with a new optional field accepts records written before it existed.
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                // ISO-8601 for durations too ("PT1M30S", not 90.000000000); readers accept both forms.
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                // An OffsetDateTime or ZonedDateTime comes back with its own offset, not moved to UTC.
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    private static <T> void collect(Class<T> root, Class<?> sealed, Map<String, Class<? extends T>> into) {
        for (Class<?> permitted : sealed.getPermittedSubclasses()) {
            if (permitted.isSealed()) {
                collect(root, permitted, into);
            }
            if (!permitted.isInterface() && !Modifier.isAbstract(permitted.getModifiers())) {
                Class<? extends T> sub = permitted.asSubclass(root);
                Class<? extends T> clash = into.putIfAbsent(permitted.getSimpleName(), sub);
                if (clash != null) {
                    throw new IllegalArgumentException("sealed type " + root.getName() + " permits two classes named "
                            + permitted.getSimpleName() + " (" + clash.getName() + " and " + permitted.getName()
                            + "); message types must be unique");
                }
            }
        }
    }

    @Override
    public Class<T> type() {
        return type;
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    @Override
    public byte[] serialize(T value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new SerdeException("cannot write a " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(byte[] data, String messageType) {
        Class<? extends T> target = type;
        if (!subtypes.isEmpty()) {
            if (messageType == null) {
                throw new SerdeException("no message type in the envelope, so the record of sealed type "
                        + type.getSimpleName() + " cannot be read; expected one of " + subtypes.keySet());
            }
            target = subtypes.get(messageType);
            if (target == null) {
                throw new SerdeException("unknown message type '" + messageType + "' for sealed type "
                        + type.getSimpleName() + "; expected one of " + subtypes.keySet());
            }
        }
        try {
            T value = mapper.readValue(data, target);
            if (value == null) {
                throw new SerdeException("the JSON is null, expected a " + target.getSimpleName());
            }
            return value;
        } catch (IOException e) {
            String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new SerdeException("cannot read the JSON as " + target.getSimpleName() + ": " + reason, e);
        }
    }

    /** Equal when they read and write the same type with the same mapper instance: they write the same bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof JsonSerde<?> other && type.equals(other.type) && mapper == other.mapper;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + System.identityHashCode(mapper);
    }

    @Override
    public String toString() {
        return "Serdes.json(" + type.getSimpleName() + ")";
    }
}
