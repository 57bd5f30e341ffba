package io.courier.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random version-4 UUIDs from {@link ThreadLocalRandom}: ids must be unique, not unpredictable, and
 * {@link java.util.UUID#randomUUID()} goes through a shared {@code SecureRandom} on every call. Shared by every
 * Courier module that mints message or correlation ids. Thread-safe.
 */
public final class MessageIds {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    private MessageIds() {}

    /** @return a new id in its canonical text form */
    public static String next() {
        return new String(nextBytes(), StandardCharsets.ISO_8859_1);
    }

    /** @return a new id as the 36 ASCII bytes of its canonical text, ready to be a header value */
    public static byte[] nextBytes() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        byte[] b = new byte[36];
        hex(msb >>> 32, b, 0, 8);
        b[8] = '-';
        hex(msb >>> 16, b, 9, 4);
        b[13] = '-';
        hex(msb, b, 14, 4);
        b[18] = '-';
        hex(lsb >>> 48, b, 19, 4);
        b[23] = '-';
        hex(lsb, b, 24, 12);
        return b;
    }

    /** @return a new id as its 16 bytes, most significant first */
    public static byte[] nextUuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (msb >>> (56 - 8 * i));
            b[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        return b;
    }

    /**
     * @param uuid 16 bytes from {@code at}, most significant first
     * @return the canonical lower-case text of that UUID
     */
    public static String text(byte[] uuid, int at) {
        byte[] t = new byte[36];
        int n = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                t[n++] = '-';
            }
            t[n++] = HEX[(uuid[at + i] >> 4) & 0xF];
            t[n++] = HEX[uuid[at + i] & 0xF];
        }
        return new String(t, StandardCharsets.ISO_8859_1);
    }

    /** Writes the low {@code digits} hex digits of {@code value} into {@code b} from {@code at}. */
    private static void hex(long value, byte[] b, int at, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }
}
