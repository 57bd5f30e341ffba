package io.courier.common;

/**
 * Tells the JVM's own errors from the failures of one call, for code that runs user code (handlers, serdes, metrics)
 * and must outlive its failures. An {@code OutOfMemoryError} or an {@code InternalError} means that the JVM itself
 * is in trouble: Courier lets it stop the thread. Any other {@code Throwable} (an {@code AssertionError}, a
 * {@code NoClassDefFoundError}, a {@code StackOverflowError} on one deep payload, a
 * {@code ServiceConfigurationError}, a user's own {@code Error}) is the failure of that call, handled like an
 * exception. Stateless and thread-safe.
 */
public final class JvmErrors {
    private JvmErrors() {}

    /**
     * @param e a throwable, not null
     * @return whether {@code e} is the JVM's own error: a {@link VirtualMachineError} other than a
     *     {@link StackOverflowError}
     */
    public static boolean isJvms(Throwable e) {
        return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
    }

    /**
     * Throws {@code e} itself if it is the JVM's own error ({@link #isJvms}); returns otherwise.
     *
     * @param e a throwable caught from user code, not null
     * @throws VirtualMachineError {@code e}, if it is one other than a {@link StackOverflowError}
     */
    public static void rethrowIfJvms(Throwable e) {
        if (isJvms(e)) {
            throw (VirtualMachineError) e;
        }
    }
}
