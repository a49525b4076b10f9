package dev.srgan.systemtests;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Test images made here: smooth gradients, shapes and edges, a little like photos. */
final class Images {
    private Images() {}

    static byte[] png(int w, int h, long seed) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(
                0,
                0,
                new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)),
                w,
                h,
                new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256))));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            int x = r.nextInt(w), y = r.nextInt(h), s = 4 + r.nextInt(Math.max(5, w / 3));
            if (i % 2 == 0) {
                g.fillOval(x, y, s, s);
            } else {
                g.fillRect(x, y, s, s / 2 + 1);
            }
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static BufferedImage read(byte[] bytes) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    static byte[] datasetZip(int images, int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < images; i++) {
                z.putNextEntry(new ZipEntry("photos/img-" + i + ".png"));
                z.write(png(size, size, 100 + i));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * The PNG with the data of its IDAT chunks replaced by noise and their CRCs made right again:
     * its structure is whole (what the api checks at submission), its pixels cannot be decoded.
     */
    static byte[] scrambledPixels(byte[] png) {
        byte[] out = png.clone();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(out);
        int at = 8;
        while (at + 8 <= out.length) {
            int length = b.getInt(at);
            if (new String(out, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("IDAT")) {
                for (int i = 0; i < length; i++) {
                    out[at + 8 + i] = (byte) (i * 37 + 11);
                }
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(out, at + 4, 4 + length);
                b.putInt(at + 8 + length, (int) crc.getValue());
            }
            at += 12 + length;
        }
        return out;
    }
}
