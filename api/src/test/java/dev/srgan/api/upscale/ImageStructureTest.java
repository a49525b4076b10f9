package dev.srgan.api.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.images.ImageFormat;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

class ImageStructureTest {

    private static BufferedImage noise(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | r.nextInt(64));
            }
        }
        return image;
    }

    private static byte[] encode(String format, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(noise(60, 50), null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static Optional<String> defect(byte[] bytes, String format) throws IOException {
        return ImageStructure.defect(new ByteArrayInputStream(bytes), ImageFormat.valueOf(format));
    }

    /** The WebP fixtures of the domain module (made by its make-fixtures.py). */
    static byte[] webp(String name) throws IOException {
        return Files.readAllBytes(Path.of("../domain/src/test/resources/webp", name));
    }

    private static ImageStructure.Inspection inspectWebp(byte[] bytes) throws IOException {
        return ImageStructure.inspect(new ByteArrayInputStream(bytes), ImageFormat.WEBP);
    }

    @Test
    void aTiffIsWalkedThroughItsDirectoriesAndData() throws IOException {
        byte[] scan = dev.srgan.api.TestDataAccess.tiff(noise(60, 50));
        ImageStructure.Inspection whole = ImageStructure.inspect(new ByteArrayInputStream(scan), ImageFormat.TIFF);
        assertEquals(Optional.empty(), whole.defect());
        assertEquals(60, whole.width());
        assertEquals(50, whole.height());
        assertEquals(0, whole.frames());
        for (int length = 0; length < scan.length; length += 1 + length / 40) {
            assertTrue(defect(Arrays.copyOf(scan, length), "TIFF").isPresent(), "cut at " + length);
        }
        ImageStructure.Inspection album = ImageStructure.inspect(
                new ByteArrayInputStream(dev.srgan.api.TestDataAccess.tiff(noise(20, 20), noise(30, 30))),
                ImageFormat.TIFF);
        assertEquals(Optional.empty(), album.defect());
        assertEquals(2, album.frames());
        assertEquals(20, album.width(), "the first page's size");

        byte[] libtiff = webp("libtiff-lzw.tif"); // its directory after the data, as libtiff writes it
        ImageStructure.Inspection found = ImageStructure.inspect(new ByteArrayInputStream(libtiff), ImageFormat.TIFF);
        assertEquals(Optional.empty(), found.defect());
        assertEquals(45, found.width());
        String cut = defect(Arrays.copyOf(libtiff, libtiff.length - 20), "TIFF").orElseThrow();
        assertTrue(cut.contains("truncated"), cut);
    }

    @Test
    void wholeWebpsPassWithTheirSize() throws IOException {
        String[][] cases = {
            {"lossy.webp", "64", "48"}, // VP8
            {"lossless-alpha.webp", "40", "30"}, // VP8L
            {"lossy-alpha.webp", "40", "30"}, // VP8X, ALPH, VP8
            {"simple-filter.webp", "53", "41"},
        };
        for (String[] c : cases) {
            ImageStructure.Inspection found = inspectWebp(webp(c[0]));
            assertEquals(Optional.empty(), found.defect(), c[0]);
            assertEquals(Integer.parseInt(c[1]), found.width(), c[0]);
            assertEquals(Integer.parseInt(c[2]), found.height(), c[0]);
            assertEquals(0, found.frames(), c[0]);
        }
        ImageStructure.Inspection animation = inspectWebp(webp("animated.webp"));
        assertEquals(Optional.empty(), animation.defect());
        assertTrue(animation.animated());
        assertEquals(2, animation.frames());
        assertEquals(32, animation.width());
    }

    @Test
    void everyTruncationOfAWebpIsFound() throws IOException {
        for (String name : new String[] {"lossy.webp", "lossless-alpha.webp", "lossy-alpha.webp"}) {
            byte[] whole = webp(name);
            for (int length = 0; length < whole.length; length++) {
                assertTrue(inspectWebp(Arrays.copyOf(whole, length)).defect().isPresent(), name + " cut at " + length);
            }
        }
        byte[] lossy = webp("lossy.webp");
        String d =
                inspectWebp(Arrays.copyOf(lossy, lossy.length - 100)).defect().orElseThrow();
        assertTrue(d.contains("truncated") && d.contains("VP8 chunk at byte 12"), d);
    }

    @Test
    void aDamagedWebpIsRefused() throws IOException {
        byte[] lossy = webp("lossy.webp");
        byte[] wrongFirst = lossy.clone();
        wrongFirst[12] = 'X'; // "XP8 "
        String d = inspectWebp(wrongFirst).defect().orElseThrow();
        assertTrue(d.contains("its first chunk is 'XP8 '"), d);
        byte[] notKey = lossy.clone();
        notKey[20] ^= 1; // the frame tag's key-frame bit
        d = inspectWebp(notKey).defect().orElseThrow();
        assertTrue(d.contains("not a key frame"), d);
        byte[] longChunk = lossy.clone();
        longChunk[17] = 0x7f; // the VP8 chunk's length, past the RIFF size
        d = inspectWebp(longChunk).defect().orElseThrow();
        assertTrue(d.contains("is damaged"), d);
        // an unpadded last chunk of odd length, as some writers leave it, is whole
        assertEquals(Optional.empty(), inspectWebp(webp("lossless-alpha.webp")).defect());
    }

    @Test
    void wholeImagesPass() throws IOException {
        assertEquals(Optional.empty(), defect(encode("png", false), "PNG"));
        assertEquals(Optional.empty(), defect(encode("jpeg", false), "JPEG"));
        assertEquals(Optional.empty(), defect(encode("jpeg", true), "JPEG"), "progressive: several scans");
    }

    @Test
    void everyTruncationIsFound() throws IOException {
        for (String format : new String[] {"PNG", "JPEG"}) {
            byte[] whole = encode(format.equals("PNG") ? "png" : "jpeg", format.equals("JPEG"));
            for (int length = 0; length < whole.length; length += 1 + length / 50) {
                Optional<String> d = defect(Arrays.copyOf(whole, length), format);
                assertTrue(d.isPresent(), format + " cut at " + length + " of " + whole.length);
            }
            Optional<String> d = defect(Arrays.copyOf(whole, whole.length - 1), format);
            assertTrue(d.orElseThrow().contains("truncated"), d.get());
        }
    }

    @Test
    void aDamagedPngChunkFailsItsCrc() throws IOException {
        byte[] png = encode("png", false);
        byte[] damaged = png.clone();
        damaged[png.length / 2] ^= 0x01;
        String d = defect(damaged, "PNG").orElseThrow();
        assertTrue(d.contains("IDAT chunk") && d.contains("CRC"), d);
    }

    @Test
    void aPngWithoutItsEndOrItsDataIsRefused() throws IOException {
        byte[] png = encode("png", false);
        String d = defect(Arrays.copyOf(png, png.length - 12), "PNG").orElseThrow();
        assertTrue(d.contains("no IEND chunk"), d);
    }
}
