package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputOptionsTest {

    @Test
    void nothingGivenIsAPngAtTheModelsScale() {
        OutputOptions options = OutputOptions.parse(null, "", " ", null);
        assertEquals(OutputOptions.DEFAULT, options);
        assertTrue(options.isDefault());
        assertEquals(4, options.modelScale(100));
        assertEquals(new OutputOptions.Size(400, 300), options.size(100, 75, 4));
        assertEquals("x4", options.label(4));
        assertEquals("\"format\":\"png\"", options.params());
    }

    @Test
    void jpegHasQuality92UnlessGiven() {
        assertEquals(92, OutputOptions.parse("jpeg", null, null, null).quality());
        assertEquals(70, OutputOptions.parse("JPG", "70", null, null).quality());
        assertEquals(
                OutputOptions.Format.JPEG,
                OutputOptions.parse(" Jpeg ", null, null, null).format());
        assertNull(OutputOptions.parse("png", null, null, null).quality());
        assertEquals(
                "\"format\":\"jpeg\",\"quality\":80,\"outscale\":2.5",
                OutputOptions.parse("jpeg", "80", "2.50", null).params());
    }

    @Test
    void webpIsLosslessAndHoldsAtMost16384PixelsASide() {
        OutputOptions webp = OutputOptions.parse(" WebP ", null, null, null);
        assertEquals(OutputOptions.Format.WEBP, webp.format());
        assertNull(webp.quality());
        assertEquals("\"format\":\"webp\"", webp.params());
        assertEquals(webp, OutputOptions.fromParams(Map.of("format", "webp")::get));
        assertEquals(new OutputOptions.Size(16384, 400), webp.size(4096, 100, 4), "exactly the most");
        OutputOptions.InvalidOption tooWide =
                assertThrows(OutputOptions.InvalidOption.class, () -> webp.size(4097, 100, 4));
        assertEquals("format", tooWide.field());
        assertTrue(tooWide.unprocessable());
        assertEquals(
                "a WebP holds at most 16384 pixels a side, and this result would be 16388x400; choose png or jpeg,"
                        + " or a smaller size",
                tooWide.getMessage());
        assertEquals(
                "a JPEG holds at most 65535 pixels a side, and this result would be 65536x8; choose png, or a"
                        + " smaller size",
                assertThrows(
                                OutputOptions.InvalidOption.class,
                                () -> OutputOptions.parse("jpeg", null, null, null)
                                        .size(8192, 1, 8))
                        .getMessage());
        assertEquals(
                new OutputOptions.Size(65536, 8), OutputOptions.DEFAULT.size(8192, 1, 8), "a PNG has no such limit");
        assertEquals(
                OutputOptions.Format.WEBP,
                OutputOptions.Format.ofContentType("image/webp").orElseThrow());
        assertTrue(OutputOptions.Format.ofContentType("image/gif").isEmpty());
    }

    @Test
    void outscaleChoosesTheSmallestModelThatReachesItAndResizesToTheRoundedSize() {
        OutputOptions three = OutputOptions.parse(null, null, "3", null);
        assertEquals(4, three.modelScale(33));
        assertEquals(new OutputOptions.Size(99, 75), three.size(33, 25, 4), "round(33*3) x round(25*3)");
        assertEquals(2, OutputOptions.parse(null, null, "1", null).modelScale(10));
        assertEquals(2, OutputOptions.parse(null, null, "2", null).modelScale(10));
        assertEquals(8, OutputOptions.parse(null, null, "4.01", null).modelScale(10));
        OutputOptions half = OutputOptions.parse(null, null, "2.5", null);
        assertEquals(new OutputOptions.Size(53, 8), half.size(21, 3, 4), "52.5 rounds up, 7.5 too");
        assertEquals("x2.5", half.label(4));
        assertEquals("x3", OutputOptions.parse(null, null, "3.0", null).label(4));
    }

    @Test
    void widthKeepsTheAspectRatio() {
        OutputOptions width = OutputOptions.parse("jpeg", null, null, "250");
        assertEquals(4, width.modelScale(100), "2.5 times the width: the 4x model");
        assertEquals(new OutputOptions.Size(250, 188), width.size(100, 75, 4), "75 * 2.5 = 187.5");
        assertEquals(new OutputOptions.Size(250, 188), width.size(100, 75, 8));
        assertEquals("w250", width.label(4));
        assertEquals(
                new OutputOptions.Size(100, 75),
                OutputOptions.parse(null, null, null, "100").size(100, 75, 2));
    }

    @Test
    void malformedOptionsAreRefusedNamingTheField() {
        Map<List<String>, String> cases = Map.of(
                List.of("gif", "", "", ""), "format must be png, jpeg or webp, got 'gif'",
                List.of("png", "80", "", ""),
                        "quality applies to JPEG only (PNG and WebP are lossless); add format=jpeg or leave quality out",
                List.of("", "80", "", ""),
                        "quality applies to JPEG only (PNG and WebP are lossless); add format=jpeg or leave quality out",
                List.of("jpeg", "0", "", ""), "quality must be a whole number from 1 to 100, got '0'",
                List.of("jpeg", "101", "", ""), "quality must be a whole number from 1 to 100, got '101'",
                List.of("jpeg", "high", "", ""), "quality must be a whole number from 1 to 100, got 'high'",
                List.of("", "", "0.5", ""), "outscale must be a number from 1 to 8, such as 3 or 2.5, got '0.5'",
                List.of("", "", "8.5", ""), "outscale must be a number from 1 to 8, such as 3 or 2.5, got '8.5'",
                List.of("", "", "NaN", ""), "outscale must be a number from 1 to 8, such as 3 or 2.5, got 'NaN'",
                List.of("", "", "", "-3"), "width must be a whole number of pixels, at least 1, got '-3'");
        cases.forEach((in, message) -> {
            OutputOptions.InvalidOption e = assertThrows(
                    OutputOptions.InvalidOption.class,
                    () -> OutputOptions.parse(in.get(0), in.get(1), in.get(2), in.get(3)),
                    in.toString());
            assertEquals(message, e.getMessage());
            assertFalse(e.unprocessable(), "a malformed value is a 400");
            String field = message.substring(0, message.indexOf(' '));
            assertEquals(field, e.field(), message);
        });
        OutputOptions.InvalidOption both =
                assertThrows(OutputOptions.InvalidOption.class, () -> OutputOptions.parse(null, null, "2", "100"));
        assertEquals("width", both.field());
        assertEquals("give either outscale or width, not both (width 100, outscale 2)", both.getMessage());
    }

    @Test
    void sizesTheModelCannotReachAreUnprocessableWithAFix() {
        OutputOptions.InvalidOption over = assertThrows(
                OutputOptions.InvalidOption.class,
                () -> OutputOptions.parse(null, null, "3", null).size(10, 10, 2));
        assertTrue(over.unprocessable());
        assertEquals("outscale", over.field());
        assertEquals(
                "outscale 3 is more than the 2x model upscales; choose scale 4 or more (or leave scale out to have it"
                        + " chosen from outscale), or an outscale of at most 2",
                over.getMessage());
        OutputOptions.InvalidOption wide = assertThrows(
                OutputOptions.InvalidOption.class,
                () -> OutputOptions.parse(null, null, null, "900").modelScale(100));
        assertTrue(wide.unprocessable());
        assertEquals("width 900 is more than 8 times the image's width of 100; the most is 800", wide.getMessage());
        OutputOptions.InvalidOption narrow = assertThrows(
                OutputOptions.InvalidOption.class,
                () -> OutputOptions.parse(null, null, null, "90").size(100, 50, 2));
        assertEquals(
                "width 90 is less than the image's width of 100; a result is at least as large as its input",
                narrow.getMessage());
        OutputOptions.InvalidOption beyond = assertThrows(
                OutputOptions.InvalidOption.class,
                () -> OutputOptions.parse(null, null, null, "300").size(100, 50, 2));
        assertTrue(
                beyond.getMessage()
                        .startsWith("width 300 is more than the 2x model makes of the image's width of"
                                + " 100 (200); choose scale 4 or more"),
                beyond.getMessage());
    }

    @Test
    void paramsReadBackToTheSameOptions() {
        for (OutputOptions o : List.of(
                OutputOptions.DEFAULT,
                OutputOptions.parse("jpeg", "55", "2.25", null),
                OutputOptions.parse("png", null, null, "1920"))) {
            Map<String, String> members = new java.util.HashMap<>();
            for (String member : o.params().split(",")) {
                String[] kv = member.split(":");
                members.put(kv[0].replace("\"", ""), kv[1].replace("\"", ""));
            }
            assertEquals(o, OutputOptions.fromParams(members::get));
        }
        assertEquals(OutputOptions.DEFAULT, OutputOptions.fromParams(name -> null), "a job recorded before options");
    }
}
