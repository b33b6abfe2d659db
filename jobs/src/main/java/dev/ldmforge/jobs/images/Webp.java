package dev.ldmforge.jobs.images;

import com.luciad.imageio.webp.CompressionType;
import com.luciad.imageio.webp.WebPWriteParam;
import dev.ldmforge.runtime.pipeline.RgbImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;

/**
 * WebP through libwebp (com.github.usefulness:webp-imageio, natives inside its jar), lossy at a quality or lossless
 * at quality 100, with the generation parameters in an "XMP " chunk: the simple VP8/VP8L file is rewritten in the
 * extended layout (RIFF, VP8X with the XMP flag, the image chunk, XMP), as the WebP container spec requires.
 */
public final class Webp {
    private static final int XMP_FLAG = 0x04;

    private Webp() {
    }

    /** @param quality 1..99 lossy, 100 lossless */
    public static byte[] encode(RgbImage image, Map<String, String> text, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByMIMEType("image/webp").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            WebPWriteParam param = new WebPWriteParam(Locale.ROOT);
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            if (quality >= 100) {
                param.setCompressionType(CompressionType.Lossless);
            } else {
                param.setCompressionType(CompressionType.Lossy);
                param.setCompressionQuality(quality / 100f);
            }
            writer.setOutput(out);
            writer.write(null, new IIOImage(Png.toBufferedImage(image), null, null), param);
            out.flush();
            return withXmp(bytes.toByteArray(), image.width(), image.height(), Xmp.packet(text));
        } catch (IOException e) {
            throw new UncheckedIOException("WebP encoding failed", e);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] withXmp(byte[] webp, int width, int height, byte[] packet) {
        String first = new String(webp, 12, 4, StandardCharsets.US_ASCII);
        if (!first.equals("VP8 ") && !first.equals("VP8L")) {
            throw new IllegalStateException("unexpected WebP layout from the encoder: first chunk " + first);
        }
        byte[] image = Arrays.copyOfRange(webp, 12, webp.length); // the image chunk, padded
        int xmpChunk = 8 + packet.length + (packet.length & 1);
        int riffSize = 4 + 18 + image.length + xmpChunk;
        ByteArrayOutputStream out = new ByteArrayOutputStream(riffSize + 8);
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        le32(out, riffSize);
        out.writeBytes("WEBPVP8X".getBytes(StandardCharsets.US_ASCII));
        le32(out, 10);
        out.write(XMP_FLAG);
        out.write(0);
        out.write(0);
        out.write(0);
        le24(out, width - 1);
        le24(out, height - 1);
        out.writeBytes(image);
        out.writeBytes("XMP ".getBytes(StandardCharsets.US_ASCII));
        le32(out, packet.length);
        out.writeBytes(packet);
        if ((packet.length & 1) == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    /** The payload of a WebP file's "XMP " chunk, if any. */
    public static Optional<byte[]> xmp(byte[] webp) {
        int p = 12;
        while (p + 8 <= webp.length) {
            String id = new String(webp, p, 4, StandardCharsets.US_ASCII);
            int size = webp[p + 4] & 0xff | (webp[p + 5] & 0xff) << 8 | (webp[p + 6] & 0xff) << 16
                    | (webp[p + 7] & 0xff) << 24;
            if (id.equals("XMP ")) {
                return Optional.of(Arrays.copyOfRange(webp, p + 8, p + 8 + size));
            }
            p += 8 + size + (size & 1);
        }
        return Optional.empty();
    }

    private static void le32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >> 8);
        out.write(v >> 16);
        out.write(v >> 24);
    }

    private static void le24(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >> 8);
        out.write(v >> 16);
    }
}
