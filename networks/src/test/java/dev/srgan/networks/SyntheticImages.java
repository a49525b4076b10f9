package dev.srgan.networks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test images drawn with java.awt: gradients, shapes, edges, a little noise and text. */
public final class SyntheticImages {

    private SyntheticImages() {}

    /** Returns one image; the same seed gives the same pixels. */
    public static BufferedImage image(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, color(random), width, height, color(random)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 4; i++) {
            g.setColor(color(random));
            int x = random.nextInt(width);
            int y = random.nextInt(height);
            int s = 6 + random.nextInt(Math.max(1, width / 2));
            switch (i % 3) {
                case 0 -> g.fillOval(x - s / 2, y - s / 2, s, s);
                case 1 -> g.fillRect(x - s / 2, y - s / 3, s, 2 * s / 3);
                default -> {
                    g.setStroke(new BasicStroke(1 + random.nextInt(3)));
                    g.drawLine(
                            random.nextInt(width),
                            random.nextInt(height),
                            random.nextInt(width),
                            random.nextInt(height));
                }
            }
        }
        g.setColor(color(random));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(8, height / 5)));
        g.drawString("SR" + seed, width / 8, height * 3 / 4);
        g.dispose();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = image.getRGB(x, y);
                int n = random.nextInt(7) - 3;
                image.setRGB(
                        x,
                        y,
                        clamp(((p >> 16) & 0xff) + n) << 16
                                | clamp(((p >> 8) & 0xff) + n) << 8
                                | clamp((p & 0xff) + n));
            }
        }
        return image;
    }

    /** Returns {@code count} different images. */
    public static List<BufferedImage> images(int count, int width, int height, long seed) {
        List<BufferedImage> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(image(width, height, seed + i));
        }
        return list;
    }

    private static Color color(Random random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
