package dev.srgan.worker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ComputeThreadsTest {
    @Test
    void workersOnAHostShareItsCores() {
        assertEquals(2, ComputeThreads.resolve(Optional.empty(), 2, 1));
        assertEquals(1, ComputeThreads.resolve(Optional.empty(), 2, 2), "two workers on two cores: one thread each");
        assertEquals(1, ComputeThreads.resolve(Optional.empty(), 2, 5), "never below one");
        assertEquals(4, ComputeThreads.resolve(Optional.empty(), 16, 4));
        assertEquals(3, ComputeThreads.resolve(Optional.of(3), 2, 2), "set outright");
        assertThrows(IllegalArgumentException.class, () -> ComputeThreads.resolve(Optional.of(0), 2, 1));
    }
}
