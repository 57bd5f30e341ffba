package io.courier.core.internal;

import io.courier.common.JvmErrors;
import io.courier.core.CourierMetrics;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's {@link CourierMetrics} behind a guard: a measurement that throws (a registry's tag clash, a
 * Micrometer version mismatch's LinkageError) is logged, never passed on, because the callers are a producer's I/O thread, where it would leave a publish future
 * unfinished, and a consumer thread, where it would fail a message that was handled.
 */
final class GuardedMetrics implements CourierMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedMetrics.class);
    private final CourierMetrics delegate;
    private final AtomicBoolean warned = new AtomicBoolean();

    private GuardedMetrics(CourierMetrics delegate) {
        this.delegate = delegate;
    }

    /** @return {@code metrics} guarded, or {@link CourierMetrics#NOOP} itself, so that callers can skip timing */
    static CourierMetrics of(CourierMetrics metrics) {
        return metrics == NOOP || metrics instanceof GuardedMetrics ? metrics : new GuardedMetrics(metrics);
    }

    @Override
    public void published(String topic, long nanos) {
        try {
            delegate.published(topic, nanos);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            failed("published", e);
        }
    }

    @Override
    public void publishFailed(String topic, Throwable error) {
        try {
            delegate.publishFailed(topic, error);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            failed("publishFailed", e);
        }
    }

    @Override
    public void handled(String topic, String group, long nanos) {
        try {
            delegate.handled(topic, group, nanos);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            failed("handled", e);
        }
    }

    @Override
    public void handlerFailed(String topic, String group, int attempt) {
        try {
            delegate.handlerFailed(topic, group, attempt);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            failed("handlerFailed", e);
        }
    }

    @Override
    public void deadLettered(String topic, String group) {
        try {
            delegate.deadLettered(topic, group);
        } catch (Throwable e) {
            JvmErrors.rethrowIfJvms(e);
            failed("deadLettered", e);
        }
    }

    private void failed(String measurement, Throwable e) {
        try {
            if (warned.compareAndSet(false, true)) { // once: a broken registry would otherwise log every message
                LOG.warn("metrics {} ({}) threw; this measurement and later failing ones are dropped: {}",
                        measurement, delegate.getClass().getName(), e.toString(), e);
            } else {
                LOG.debug("metrics {} threw: {}", measurement, e.toString());
            }
        } catch (Throwable logging) { // an exception whose toString() or getMessage() throws, too
            JvmErrors.rethrowIfJvms(logging);
        }
    }
}
