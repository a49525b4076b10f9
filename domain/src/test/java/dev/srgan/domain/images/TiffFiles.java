package dev.srgan.domain.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.stream.ImageOutputStream;

/** TIFF files written by the JDK's TIFF writer, as scanners and photo editors write them. */
public final class TiffFiles {

    private TiffFiles() {}

    /**
     * The pages as one TIFF.
     *
     * @param compression "LZW", "Deflate", "PackBits", "JPEG", or null for none
     * @param orientation the EXIF orientation tag of each page (1 to 8), or 0 for none
     */
    public static byte[] write(String compression, int orientation, BufferedImage... pages) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
            writer.prepareWriteSequence(null);
            for (BufferedImage page : pages) {
                IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(page), param);
                if (orientation != 0) {
                    TIFFDirectory directory = TIFFDirectory.createFromMetadata(metadata);
                    TIFFTag tag = BaselineTIFFTagSet.getInstance().getTag(BaselineTIFFTagSet.TAG_ORIENTATION);
                    directory.addTIFFField(new TIFFField(tag, TIFFTag.TIFF_SHORT, 1, new char[] {(char) orientation}));
                    metadata = directory.getAsMetadata();
                }
                writer.writeToSequence(new IIOImage(page, null, metadata), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A picture with gradients and a sharp square, RGB. */
    public static BufferedImage picture(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean square = x > w / 3 && x < w / 2 && y > h / 4 && y < h / 2;
                image.setRGB(x, y, square ? 0xF0E020 : (x * 255 / w) << 16 | (y * 255 / h) << 8 | 0x60);
            }
        }
        return image;
    }
}
