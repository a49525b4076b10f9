package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Decoding files as a viewer shows them (images/README.md says what each file holds). */
class ImagesTest {

    @Test
    void aPhoneJpegIsTurnedUprightByItsExifOrientation() throws IOException {
        BufferedImage image = Images.decode(resource("phone-orientation-6.jpg"));
        assertEquals(32, image.getWidth());
        assertEquals(48, image.getHeight());
        assertColour(0x1EC81E, image.getRGB(4, 4), "top left: green");
        assertColour(0xDC1E1E, image.getRGB(28, 4), "top right: red");
        assertColour(0xF0F0F0, image.getRGB(4, 44), "bottom left: white");
        assertColour(0x1E1EDC, image.getRGB(28, 44), "bottom right: blue");
    }

    @Test
    void aCmykJpegWithoutAProfileHasTheColoursOtherViewersShow() throws IOException {
        BufferedImage image = Images.decode(resource("cmyk-adobe.jpg"));
        assertEquals(BufferedImage.TYPE_INT_RGB, image.getType());
        assertColour(0xC83C14, image.getRGB(8, 8), "left half");
        assertColour(0x145AA0, image.getRGB(24, 8), "right half");
    }

    @Test
    void aDisplayP3PngHasTheColoursABrowserShows() throws IOException {
        BufferedImage image = Images.decode(resource("display-p3.png"));
        assertColour(0xDA001A, image.getRGB(8, 8), "left half: P3 (200, 40, 40)");
        assertColour(0x00A352, image.getRGB(24, 8), "right half: P3 (30, 160, 90)");
    }

    @Test
    void aGreyPngKeepsItsLevels() throws IOException {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {32, 64, 128});
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(grey, "png", png);
        RgbImage decoded = RgbImage.from(Images.decode(png.toByteArray()));
        assertEquals(64 / 255f, decoded.get(0, 1, 0), 1e-6);
        assertEquals(128 / 255f, decoded.get(2, 2, 0), 1e-6);
        // RgbImage reads an undecoded grey image the same way
        assertEquals(32 / 255f, RgbImage.from(grey).get(1, 0, 0), 1e-6);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImagesTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    /** Within 6 levels per channel: the files are JPEGs. */
    private static void assertColour(int expected, int argb, String where) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (argb >> shift) & 0xFF;
            assertEquals(
                    e,
                    a,
                    6,
                    where + ": expected " + Integer.toHexString(expected) + ", got "
                            + Integer.toHexString(argb & 0xFFFFFF));
        }
    }
}
