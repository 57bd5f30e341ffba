package io.courier.core.internal;

import io.courier.core.Serde;

/** Courier's text serde, for tests to override one method of: a serde that fails, or names its types oddly. */
class TextSerde implements Serde<String> {
    private static final Serde<String> TEXT = SimpleSerdes.STRING;

    @Override
    public Class<String> type() {
        return TEXT.type();
    }

    @Override
    public String contentType() {
        return TEXT.contentType();
    }

    @Override
    public byte[] serialize(String value) {
        return TEXT.serialize(value);
    }

    @Override
    public String deserialize(byte[] data, String messageType) {
        return TEXT.deserialize(data, messageType);
    }
}
