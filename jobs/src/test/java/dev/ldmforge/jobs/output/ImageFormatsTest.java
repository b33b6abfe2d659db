package dev.ldmforge.jobs.output;

import dev.ldmforge.jobs.images.Jpeg;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.images.Webp;
import dev.ldmforge.jobs.images.Xmp;
import dev.ldmforge.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three image encodings: decodable by ImageIO, deterministic, parameters embedded and read back. */
class ImageFormatsTest {
    private static final Map<String, String> TEXT = new LinkedHashMap<>();

    static {
        TEXT.put("prompt", "a <red> & \"blue\" cube, 日本語");
        TEXT.put("num_inference_steps", "2");
        TEXT.put("seed", "42");
    }

    private static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                rgb[i] = (byte) (x * 255 / w);
                rgb[i + 1] = (byte) (y * 255 / h);
                rgb[i + 2] = (byte) ((x + y) * 3);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static BufferedImage decode(byte[] data) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
        assertNotNull(image, "decodable by ImageIO");
        return image;
    }

    @Test
    void pngKeepsItsTextChunks() throws IOException {
        byte[] png = ImageFormat.PNG.encode(gradient(40, 24), TEXT, 50);
        assertEquals(TEXT, Png.readText(png));
        assertEquals(40, decode(png).getWidth());
    }

    @Test
    void jpegCarriesXmpAndHonoursQuality() throws IOException {
        RgbImage image = gradient(64, 48);
        byte[] q90 = ImageFormat.JPEG.encode(image, TEXT, 90);
        byte[] q30 = ImageFormat.JPEG.encode(image, TEXT, 30);
        assertTrue(q30.length < q90.length, q30.length + " < " + q90.length);
        assertArrayEquals(q90, ImageFormat.JPEG.encode(image, TEXT, 90), "deterministic");
        assertEquals(TEXT, Xmp.read(Jpeg.xmp(q90).orElseThrow()));
        BufferedImage decoded = decode(q90);
        assertEquals(64, decoded.getWidth());
        assertEquals(48, decoded.getHeight());
        assertEquals(0xff, q90[0] & 0xff);
        assertEquals(0xd8, q90[1] & 0xff);
    }

    @Test
    void webpLossyAndLosslessCarryXmp() throws IOException {
        RgbImage image = gradient(50, 30);
        byte[] lossy = ImageFormat.WEBP.encode(image, TEXT, 80);
        byte[] lossless = ImageFormat.WEBP.encode(image, TEXT, 100);
        for (byte[] webp : new byte[][] {lossy, lossless}) {
            assertEquals("RIFF", new String(webp, 0, 4));
            assertEquals("WEBPVP8X", new String(webp, 8, 8));
            int riff = webp[4] & 0xff | (webp[5] & 0xff) << 8 | (webp[6] & 0xff) << 16 | (webp[7] & 0xff) << 24;
            assertEquals(webp.length - 8, riff, "RIFF size");
            assertEquals(TEXT, Xmp.read(Webp.xmp(webp).orElseThrow()));
            BufferedImage decoded = decode(webp);
            assertEquals(50, decoded.getWidth());
            assertEquals(30, decoded.getHeight());
        }
        assertEquals("VP8L", new String(lossless, 30, 4), "lossless chunk after VP8X");
        RgbImage back = Png.decode(lossless, "lossless.webp");
        assertArrayEquals(image.pixels(), back.pixels(), "lossless WebP keeps every pixel");
        assertArrayEquals(lossy, ImageFormat.WEBP.encode(image, TEXT, 80), "deterministic");
    }

    @Test
    void badFlagValuesNameTheFlag() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageFormat.parse("gif")).getMessage()
                .contains("--image-format"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("tar")).getMessage()
                .contains("--output-format must be one of files, webdataset, parquet, got tar"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new OutputSettings(OutputFormat.FILES,
                ImageFormat.JPEG, 0, 10, 10)).getMessage().contains("--image-quality must be 1..100, got 0"));
    }
}
