package io.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.courier.common.CourierRetriableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionOptionsTest {
    @TempDir
    Path dir;

    @Test
    void aRequestWithNoAnswerNamesTheServersAndTheRequestTimeoutWrittenWithItsUnit() throws IOException {
        ConnectionOptions connection = new ConnectionOptions();
        connection.bootstrapServers = "localhost:1";
        // A short request.timeout.ms keeps the wait (the timeout and one second) short.
        connection.commandConfig = Files.writeString(dir.resolve("client.properties"), "request.timeout.ms=500\n");

        CourierRetriableException e = assertThrows(CourierRetriableException.class,
                () -> connection.await(new KafkaFutureImpl<String>(), "list the topics"));

        assertThat(e).as("a request the cluster never answers").hasMessage(
                "cannot list the topics at localhost:1: no answer within 500ms");
    }
}
