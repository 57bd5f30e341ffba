package io.courier.cluster.internal;

import io.courier.common.CourierException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates, checks and deletes data directories. */
final class DataDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectories.class);

    private DataDirectories() {}

    static Path temporary() {
        try {
            return Files.createTempDirectory("courier-kafka-");
        } catch (IOException e) {
            throw new CourierException("cannot create a temporary data directory: " + e.getMessage(), e);
        }
    }

    /** @throws CourierException naming the directory if it cannot be created or written */
    static Path requireWritable(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new CourierException("data directory " + absolute + " cannot be created ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); expected a writable directory", e);
        }
        try {
            Files.delete(Files.createTempFile(absolute, ".courier-probe", ".tmp"));
        } catch (IOException e) {
            throw new CourierException("data directory " + absolute + " is not writable ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); expected a writable directory", e);
        }
        return absolute;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // Leaving a temporary directory behind is not worth failing close() for.
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
