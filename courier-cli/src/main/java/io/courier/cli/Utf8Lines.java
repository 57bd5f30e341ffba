package io.courier.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Lines of UTF-8 text, each decoded on its own and strictly, so that a line that is not UTF-8 is refused (rather
 * than published with replacement characters) and the lines before it can still be told apart from it. Not
 * thread-safe.
 */
final class Utf8Lines {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Utf8Lines(InputStream in) {
        this.in = new BufferedInputStream(in);
    }

    /**
     * @return the next line without its terminator ({@code \n} or {@code \r\n}), or {@code null} at the end
     * @throws CharacterCodingException if the line is not UTF-8; the lines after it can still be read
     * @throws IOException if the stream cannot be read
     */
    String next() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        // A fresh decoder reports malformed input instead of replacing it, as String's constructor would.
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    }

    /** @return whether the next line's first byte can be read without waiting */
    boolean ready() throws IOException {
        return in.available() > 0;
    }
}
