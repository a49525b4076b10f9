package dev.srgan.api;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import javax.sql.DataSource;

/** Inputs the API tests make themselves: images, zips, a model row, an uploaded dataset. */
final class TestData {
    private TestData() {}

    static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(30, 90, 160));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.ORANGE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** An RGB picture: gradients and a square. */
    static java.awt.image.BufferedImage image(int w, int h) {
        java.awt.image.BufferedImage image =
                new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean square = x > w / 3 && x < w / 2 && y > h / 4 && y < h / 2;
                image.setRGB(x, y, square ? 0xF0E020 : (x * 255 / w) << 16 | (y * 255 / h) << 8 | 0x60);
            }
        }
        return image;
    }

    /** The pages as one LZW-compressed TIFF, as the JDK's writer makes it (image data before each directory). */
    static byte[] tiff(java.awt.image.BufferedImage... pages) throws IOException {
        javax.imageio.ImageWriter writer =
                ImageIO.getImageWritersByFormatName("tiff").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType("LZW");
            writer.prepareWriteSequence(null);
            for (java.awt.image.BufferedImage page : pages) {
                writer.writeToSequence(new javax.imageio.IIOImage(page, null, null), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static byte[] gif() throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "gif", out);
        return out.toByteArray();
    }

    /** A tiny PNG whose header claims {@code w x h}: a decompression bomb as far as the header goes. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream i = new DataOutputStream(ihdr);
        i.writeBytes("IHDR");
        i.writeInt(w);
        i.writeInt(h);
        i.write(new byte[] {8, 2, 0, 0, 0});
        byte[] chunk = ihdr.toByteArray();
        d.writeInt(13);
        d.write(chunk);
        CRC32 crc = new CRC32();
        crc.update(chunk);
        d.writeInt((int) crc.getValue());
        return out.toByteArray();
    }

    static byte[] zip(String... namesAndContent) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : namesAndContent) {
                z.putNextEntry(new ZipEntry(name));
                z.write(name.endsWith(".png") ? png(48, 48) : "text".getBytes());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /**
     * Uploads a dataset of two 48x48 PNGs named {@code name} with {@code request} (and its
     * credentials), as {@code POST /api/datasets} takes it; returns its id.
     */
    static String dataset(io.restassured.specification.RequestSpecification request, String name) throws IOException {
        return request.multiPart("file", "photos.zip", zip("a.png", "b.png"), "application/zip")
                .multiPart("name", name)
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** A model row (the api never loads weights, so any blob will do for submission tests). */
    static UUID model(DataSource ds, int scale, boolean isDefault) throws SQLException {
        UUID blob = UUID.randomUUID();
        UUID model = UUID.randomUUID();
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO blobs (id, content_type, size_bytes, complete) VALUES (?, 'application/zip', 0, true)")) {
                ps.setObject(1, blob);
                ps.executeUpdate();
            }
            if (isDefault) {
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE models SET is_default = false WHERE scale = ?")) {
                    ps.setInt(1, scale);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO models (id, name, format, scale, residual_blocks, source, blob_id, is_default)
                    VALUES (?, ?, 'CHECKPOINT', ?, 16, 'test', ?, ?)""")) {
                ps.setObject(1, model);
                ps.setString(2, "test model x" + scale);
                ps.setInt(3, scale);
                ps.setObject(4, blob);
                ps.setBoolean(5, isDefault);
                ps.executeUpdate();
            }
        }
        return model;
    }

    /** Writes an upscale's result image and SUCCEEDED in one transaction, as a worker does. */
    static void succeed(
            DataSource ds,
            dev.srgan.platform.blobs.BlobStore blobs,
            String job,
            byte[] image,
            String contentType,
            int width,
            int height)
            throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            UUID blob = blobs.write(c, new java.io.ByteArrayInputStream(image), contentType, Long.MAX_VALUE)
                    .id();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO results (job_id, blob_id, width, height, content_type) VALUES (?::uuid, ?, ?, ?, ?)")) {
                ps.setString(1, job);
                ps.setObject(2, blob);
                ps.setInt(3, width);
                ps.setInt(4, height);
                ps.setString(5, contentType);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET status = 'SUCCEEDED', progress = 1, finished_at = now() WHERE id = ?::uuid")) {
                ps.setString(1, job);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    /** Runs one SQL statement with its parameters, as the tests set up rows a worker or time would write. */
    static void exec(DataSource ds, String sql, Object... params) throws SQLException {
        try (Connection c = ds.getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    static long count(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A job's input blob: its id, sha256 and content type. */
    static String[] inputBlob(DataSource ds, String job) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT b.id, b.sha256, b.content_type FROM jobs j JOIN blobs b ON b.id = j.input_blob_id"
                                + " WHERE j.id = ?::uuid")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
            }
        }
    }
}
