package io.courier.core.internal;

import io.courier.core.Serde;
import java.nio.charset.StandardCharsets;

/** The String and byte[] serdes. */
public final class SimpleSerdes {
    public static final Serde<String> STRING = new Serde<>() {
        @Override
        public Class<String> type() {
            return String.class;
        }

        @Override
        public String contentType() {
            return "text/plain; charset=utf-8";
        }

        @Override
        public byte[] serialize(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] data, String messageType) {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String messageType(String value) {
            return "String";
        }

        @Override
        public String toString() {
            return "Serdes.string()";
        }
    };

    public static final Serde<byte[]> BYTES = new Serde<>() {
        @Override
        public Class<byte[]> type() {
            return byte[].class;
        }

        @Override
        public String contentType() {
            return "application/octet-stream";
        }

        @Override
        public byte[] serialize(byte[] value) {
            return value;
        }

        @Override
        public byte[] deserialize(byte[] data, String messageType) {
            return data;
        }

        @Override
        public String messageType(byte[] value) {
            return "bytes";
        }

        @Override
        public String toString() {
            return "Serdes.bytes()";
        }
    };

    private SimpleSerdes() {}
}
