package io.courier.core;

/**
 * @param replayed records republished to their original topics
 * @param skipped  records the correction chose to skip (their dead-letter offsets are committed all the same)
 */
public record ReplayResult(long replayed, long skipped) {}
