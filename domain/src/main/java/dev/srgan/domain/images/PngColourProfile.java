package dev.srgan.domain.images;

import java.awt.color.CMMException;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The ICC profile of a PNG, which ImageIO's PNG reader ignores. A Mac's screenshots and many
 * exports from photo editors are PNGs in Display P3 or Adobe RGB; browsers convert them to the
 * screen's colours, ImageIO hands over the raw samples as if they were sRGB. An upscale of those
 * samples, written as an untagged (sRGB) PNG, would come back duller than the upload looks.
 *
 * <p>So a PNG with an RGB profile in its iCCP chunk is converted to sRGB on decode, as the JDK
 * already does for a JPEG with an embedded profile. A profile that converts every colour to
 * within one level of itself counts as sRGB and is left alone (many files embed sRGB itself), as
 * are grey profiles, an sRGB chunk, and a profile that is damaged or cannot be used.
 */
public final class PngColourProfile {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    private static final int PNG_ICCP = 0x69434350; // "iCCP"
    private static final int PNG_SRGB = 0x73524742; // "sRGB"
    private static final int PNG_IDAT = 0x49444154;
    private static final int PNG_IEND = 0x49454E44;
    /** A compressed profile larger than this is not read. */
    private static final int MAX_COMPRESSED_BYTES = 1 << 20;
    /** Nor one larger than this once inflated (a Display P3 profile is under 1 KB, Adobe RGB 560 bytes). */
    private static final int MAX_PROFILE_BYTES = 4 << 20;
    /** Probe colours per channel for the "is it sRGB" test: 17^3 colours, 0, 16, ..., 255. */
    private static final int PROBE_LEVELS = 17;

    private PngColourProfile() {}

    /**
     * Reads the RGB colour profile a PNG's pixels are in, when it is not sRGB.
     *
     * @param in the encoded image, from its first byte; read only up to its pixel data
     * @return the profile to convert from, or null: not a PNG, no iCCP chunk, an sRGB chunk, a grey
     *     profile, a profile equal to sRGB within one level, or one that is damaged
     */
    public static ICC_Profile read(InputStream in) {
        try {
            DataInputStream data = new DataInputStream(
                    in instanceof ByteArrayInputStream || in instanceof BufferedInputStream
                            ? in
                            : new BufferedInputStream(in));
            if (!Arrays.equals(data.readNBytes(PNG_SIGNATURE.length), PNG_SIGNATURE)) {
                return null;
            }
            while (true) {
                long length = data.readInt() & 0xFFFFFFFFL;
                int type = data.readInt();
                if (type == PNG_IDAT || type == PNG_IEND || type == PNG_SRGB) {
                    return null;
                }
                if (type == PNG_ICCP) {
                    return length <= MAX_COMPRESSED_BYTES ? usable(iccp(data.readNBytes((int) length))) : null;
                }
                ExifOrientation.skipFully(data, length + 4); // the data and its CRC
            }
        } catch (IOException | DataFormatException | RuntimeException e) {
            return null; // CMMException and IllegalArgumentException for a profile the JDK rejects
        }
    }

    /** Reads the profile of an image held in memory; see {@link #read(InputStream)}. */
    public static ICC_Profile read(byte[] encoded) {
        return read(new ByteArrayInputStream(encoded));
    }

    /**
     * Converts an image's pixels from {@code profile} to sRGB; alpha is kept as it is.
     *
     * @param image whose getRGB gives the samples as stored (as ImageIO decodes a PNG)
     * @param profile an RGB profile from {@link #read}
     * @return a new TYPE_INT_RGB image, or TYPE_INT_ARGB where {@code image} has alpha
     */
    public static BufferedImage toSrgb(BufferedImage image, ICC_Profile profile) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = SrgbPixels.argb(image);
        byte[] rgb = new byte[3 * argb.length];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        byte[] converted = convert(rgb, w, h, profile);
        boolean alpha = image.getColorModel().hasAlpha();
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (alpha ? argb[i] & 0xFF000000 : 0xFF000000)
                    | (converted[3 * i] & 0xFF) << 16
                    | (converted[3 * i + 1] & 0xFF) << 8
                    | converted[3 * i + 2] & 0xFF;
        }
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, argb, 0, w);
        return out;
    }

    /** Interleaved 8-bit RGB from {@code profile} to sRGB, with the JDK's colour management (LCMS). */
    private static byte[] convert(byte[] rgb, int w, int h, ICC_Profile profile) {
        WritableRaster src = Raster.createInterleavedRaster(
                new DataBufferByte(rgb, rgb.length), w, h, 3 * w, 3, new int[] {0, 1, 2}, null);
        WritableRaster dst = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 3, null);
        new ColorConvertOp(new ICC_Profile[] {profile, ICC_Profile.getInstance(ColorSpace.CS_sRGB)}, null)
                .filter(src, dst);
        return ((DataBufferByte) dst.getDataBuffer()).getData();
    }

    /** The iCCP chunk's data: a name of 1-79 bytes, a zero, compression method 0, then a zlib stream. */
    private static ICC_Profile iccp(byte[] chunk) throws DataFormatException {
        int nul = 0;
        while (nul < chunk.length && chunk[nul] != 0) {
            nul++;
        }
        if (nul == 0 || nul > 79 || nul + 2 > chunk.length || chunk[nul + 1] != 0) {
            return null;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(chunk, nul + 2, chunk.length - nul - 2);
            ByteArrayOutputStream profile = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null; // truncated
                }
                profile.write(buf, 0, n);
                if (profile.size() > MAX_PROFILE_BYTES) {
                    return null;
                }
            }
            return ICC_Profile.getInstance(profile.toByteArray());
        } finally {
            inflater.end();
        }
    }

    /**
     * A profile stored as it is (as a WebP's ICCP chunk holds it), when it is an RGB profile that
     * changes the colours; else null, as for a PNG.
     */
    static ICC_Profile usable(byte[] profile) {
        if (profile.length > MAX_PROFILE_BYTES) {
            return null;
        }
        try {
            return usable(ICC_Profile.getInstance(profile));
        } catch (IllegalArgumentException | CMMException e) {
            return null;
        }
    }

    /** The profile when it is an RGB profile that differs from sRGB by more than a level somewhere. */
    private static ICC_Profile usable(ICC_Profile profile) {
        if (profile == null
                || profile.getColorSpaceType() != ColorSpace.TYPE_RGB
                || profile.getProfileClass() == ICC_Profile.CLASS_ABSTRACT) {
            return null;
        }
        byte[] probe = new byte[3 * PROBE_LEVELS * PROBE_LEVELS * PROBE_LEVELS];
        int i = 0;
        for (int r = 0; r < PROBE_LEVELS; r++) {
            for (int g = 0; g < PROBE_LEVELS; g++) {
                for (int b = 0; b < PROBE_LEVELS; b++) {
                    probe[i++] = (byte) Math.min(255, 16 * r);
                    probe[i++] = (byte) Math.min(255, 16 * g);
                    probe[i++] = (byte) Math.min(255, 16 * b);
                }
            }
        }
        try {
            byte[] converted = convert(probe, probe.length / 3, 1, profile);
            for (int j = 0; j < probe.length; j++) {
                if (Math.abs((probe[j] & 0xFF) - (converted[j] & 0xFF)) > 1) {
                    return profile;
                }
            }
            return null;
        } catch (CMMException | IllegalArgumentException e) {
            return null;
        }
    }
}
