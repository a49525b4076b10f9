package dev.srgan.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    @Test
    void aMappedAllocatorLibraryIsNamedWithItsPath() {
        assertEquals(
                Optional.of("tcmalloc (/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10)"),
                NativeAllocator.library(
                        "7f2c1a200000-7f2c1a21c000 r--p 00000000 08:01 1234   /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10"));
        assertEquals(
                Optional.of("jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2)"),
                NativeAllocator.library("7f00-7f10 r-xp 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2"));
    }

    @Test
    void otherMappingsAreNotAllocators() {
        assertEquals(
                Optional.empty(),
                NativeAllocator.library("7f00-7f10 r-xp 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6"));
        assertEquals(Optional.empty(), NativeAllocator.library("7ffd-7ffe rw-p 00000000 00:00 0   [stack]"));
        assertEquals(Optional.empty(), NativeAllocator.library("7f00-7f10 rw-p 00000000 00:00 0"));
        // a file named after an allocator in a directory of that name is not one unless the file is
        assertEquals(Optional.empty(), NativeAllocator.library("7f00-7f10 r-xp 0 08:01 9 /opt/tcmalloc/libfoo.so"));
    }

    @Test
    void thisProcessReportsItsAllocator() {
        String described = NativeAllocator.describe();
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        if (preload.contains("tcmalloc")) {
            assertTrue(described.startsWith("tcmalloc ("), described);
        } else if (preload.isEmpty()) {
            assertEquals("glibc malloc", described);
        }
    }
}
