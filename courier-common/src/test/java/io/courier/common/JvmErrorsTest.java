package io.courier.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

class JvmErrorsTest {

    @Test
    void theJvmsOwnErrorsAreRethrownAsTheyAre() {
        for (VirtualMachineError e : List.of(new OutOfMemoryError("Java heap space"), new InternalError("broken"))) {
            assertThat(JvmErrors.isJvms(e)).as("%s", e).isTrue();
            assertThat(assertThrows(VirtualMachineError.class, () -> JvmErrors.rethrowIfJvms(e))).isSameAs(e);
        }
    }

    @Test
    void theFailuresOfOneCallAreNotTheJvms() {
        class UsersOwnError extends Error {
            private static final long serialVersionUID = 1L;
        }
        for (Throwable e : List.of(new StackOverflowError("one deep payload"), new AssertionError("a broken invariant"),
                new NoClassDefFoundError("com/example/Missing"), new ServiceConfigurationError("no provider"),
                new UsersOwnError(), new IllegalStateException("busy"), new Exception("checked"))) {
            assertThat(JvmErrors.isJvms(e)).as("%s", e).isFalse();
            assertDoesNotThrow(() -> JvmErrors.rethrowIfJvms(e));
        }
    }
}
