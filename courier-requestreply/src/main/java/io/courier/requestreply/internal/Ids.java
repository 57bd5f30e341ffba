package io.courier.requestreply.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Correlation ids: random version-4 UUIDs. They must be unique, not unpredictable, so no SecureRandom per call. */
final class Ids {
    private Ids() {}

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
