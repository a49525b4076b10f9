package dev.srgan.api.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
        return ImageStructure.defect(new ByteArrayInputStream(bytes), format);
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
