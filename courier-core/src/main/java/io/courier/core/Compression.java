package io.courier.core;

import java.util.Locale;

/** Producer-side compression codecs, as Kafka's {@code compression.type} names them. */
public enum Compression {
    NONE, GZIP, SNAPPY, LZ4, ZSTD;

    /** @return the value of Kafka's {@code compression.type} setting */
    public String kafkaName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
