package io.courier.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.core.internal.JsonSerde;
import io.courier.core.internal.SimpleSerdes;

/** Factories for the serdes Courier ships. All returned serdes are immutable and thread-safe. */
public final class Serdes {
    private Serdes() {}

    /**
     * JSON through Jackson, for records, classes and sealed hierarchies of records. For a sealed type the envelope's
     * message type (the permitted record's simple name) selects the record to read.
     *
     * @param type the type; a sealed interface or class means "any of its permitted records"
     * @param <T>  the type
     * @return a JSON serde with Courier's default {@link ObjectMapper} (java.time as ISO-8601 strings, unknown
     *     properties ignored so that old readers accept new fields)
     */
    public static <T> Serde<T> json(Class<T> type) {
        return JsonSerde.withDefaultMapper(type);
    }

    /**
     * @param type   the type
     * @param mapper a configured mapper; it must not be reconfigured afterwards
     * @param <T>    the type
     * @return a JSON serde using the given mapper
     */
    public static <T> Serde<T> json(Class<T> type, ObjectMapper mapper) {
        return new JsonSerde<>(type, mapper);
    }

    /** @return UTF-8 strings, content type {@code text/plain} */
    public static Serde<String> string() {
        return SimpleSerdes.STRING;
    }

    /** @return bytes as they are, content type {@code application/octet-stream} */
    public static Serde<byte[]> bytes() {
        return SimpleSerdes.BYTES;
    }
}
