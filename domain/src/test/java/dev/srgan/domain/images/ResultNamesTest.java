package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultNamesTest {

    @Test
    void eachInputNamesItsResultAndClashesAreNumbered() {
        assertEquals(
                List.of("a-x4.png", "b-x4.png", "a-x4-2.png", "A-x4-3.png", "image-5-x4.png", "image-6-x4.png"),
                ResultNames.of(Arrays.asList("a.jpg", "photos/b.png", "other/a.png", "A.JPG", null, ""), 4));
    }

    @Test
    void theStemDropsFoldersExtensionAndWhatNoFileSystemTakes() {
        assertEquals("photo", ResultNames.stem("C:\\Users\\me\\photo.jpeg"));
        assertEquals("a_b", ResultNames.stem("a:b.png"));
        assertEquals("hidden", ResultNames.stem("..hidden.png"));
        assertEquals("noext", ResultNames.stem("dir/noext"));
    }
}
