package dev.srgan.tools.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainCommandTest {
    private static List<Path> images(int n) {
        return IntStream.range(0, n)
                .mapToObj(i -> Path.of(String.format("%02d.png", i)))
                .toList();
    }

    @Test
    void withoutAValidationFolderTheLastTenthByNameIsHeldOutAsOnTheCluster() {
        assertEquals(List.of(Path.of("00.png")), TrainCommand.heldOut(images(1)), "a single image does both");
        assertEquals(List.of(Path.of("06.png")), TrainCommand.heldOut(images(7)));
        assertEquals(List.of(Path.of("23.png"), Path.of("24.png")), TrainCommand.heldOut(images(25)));
    }
}
