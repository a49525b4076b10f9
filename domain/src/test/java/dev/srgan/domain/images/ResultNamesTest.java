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
    void outputOptionsNameTheSizeAndTheFormat() {
        List<String> inputs = List.of("photo.jpg", "shots/photo.png");
        assertEquals(
                List.of("photo-x3.jpg", "photo-x3-2.jpg"),
                ResultNames.of(inputs, OutputOptions.parse("jpeg", null, "3", null), 4));
        assertEquals(
                List.of("photo-x2.5.jpg", "photo-x2.5-2.jpg"),
                ResultNames.of(inputs, OutputOptions.parse("jpeg", null, "2.5", null), 4));
        assertEquals(
                List.of("photo-w1920.png", "photo-w1920-2.png"),
                ResultNames.of(inputs, OutputOptions.parse(null, null, null, "1920"), 8));
        assertEquals(
                List.of("photo-x8.jpg", "photo-x8-2.jpg"),
                ResultNames.of(inputs, OutputOptions.parse("jpeg", null, null, null), 8));
        assertEquals(ResultNames.of(inputs, 2), ResultNames.of(inputs, OutputOptions.DEFAULT, 2));
    }

    @Test
    void theStemDropsFoldersExtensionAndWhatNoFileSystemTakes() {
        assertEquals("photo", ResultNames.stem("C:\\Users\\me\\photo.jpeg"));
        assertEquals("a_b", ResultNames.stem("a:b.png"));
        assertEquals("hidden", ResultNames.stem("..hidden.png"));
        assertEquals("noext", ResultNames.stem("dir/noext"));
    }
}
