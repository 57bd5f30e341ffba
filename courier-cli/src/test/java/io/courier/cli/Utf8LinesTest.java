package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8LinesTest {
    private static Utf8Lines of(byte[] bytes) {
        return new Utf8Lines(new ByteArrayInputStream(bytes));
    }

    @Test
    void splitsOnNewlinesWithOrWithoutCarriageReturnsAndKeepsEmptyLinesAndALastUnterminatedOne() throws IOException {
        Utf8Lines lines = of("caf\u00e9\r\n\nna\u00efve \u2603\nlast".getBytes(StandardCharsets.UTF_8));

        assertThat(lines.next()).isEqualTo("caf\u00e9");
        assertThat(lines.next()).isEmpty();
        assertThat(lines.next()).isEqualTo("na\u00efve \u2603");
        assertThat(lines.next()).isEqualTo("last");
        assertThat(lines.next()).isNull();
    }

    @Test
    void aLineThatIsNotUtf8IsRefusedAndTheLinesAroundItAreIntact() throws IOException {
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        byte[] input = new byte[3 + latin1.length + 7];
        System.arraycopy("ok\n".getBytes(StandardCharsets.UTF_8), 0, input, 0, 3);
        System.arraycopy(latin1, 0, input, 3, latin1.length);
        System.arraycopy("\nafter\n".getBytes(StandardCharsets.UTF_8), 0, input, 3 + latin1.length, 7);
        Utf8Lines lines = of(input);

        assertThat(lines.next()).isEqualTo("ok");
        assertThrows(CharacterCodingException.class, lines::next);
        assertThat(lines.next()).isEqualTo("after");
        assertThat(lines.next()).isNull();
    }

    @Test
    void isReadyOnlyWhileBytesAreWaiting() throws IOException {
        Utf8Lines lines = of("a\nb".getBytes(StandardCharsets.UTF_8));

        assertThat(lines.ready()).isTrue();
        lines.next();
        assertThat(lines.ready()).isTrue();
        lines.next();
        assertThat(lines.ready()).isFalse();
    }
}
