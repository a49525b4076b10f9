package dev.srgan.api;

import java.awt.image.BufferedImage;
import java.io.IOException;

/** {@link TestData}'s files for the tests of other packages. */
public final class TestDataAccess {
    private TestDataAccess() {}

    public static byte[] tiff(BufferedImage... pages) throws IOException {
        return TestData.tiff(pages);
    }
}
