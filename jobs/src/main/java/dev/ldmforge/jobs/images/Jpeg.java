package dev.ldmforge.jobs.images;

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
import java.util.Map;
import java.util.Optional;

/**
 * Baseline JPEG (JDK ImageIO, JFIF, 4:2:0) with the generation parameters in an XMP APP1 segment placed right after
 * the JFIF APP0 header, where XMP readers look. Deterministic for the same pixels, quality and text.
 */
public final class Jpeg {
    private static final byte[] XMP_ID = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.US_ASCII);

    private Jpeg() {
    }

    /** @param quality 1..100 */
    public static byte[] encode(RgbImage image, Map<String, String> text, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(Png.toBufferedImage(image), null, null), param);
            out.flush();
            return withXmp(bytes.toByteArray(), Xmp.packet(text));
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
    }

    private static byte[] withXmp(byte[] jpeg, byte[] packet) {
        int at = 2; // after SOI
        if ((jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) { // keep JFIF APP0 first
            at = 4 + ((jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff);
        }
        int length = 2 + XMP_ID.length + packet.length;
        if (length > 0xffff) {
            throw new IllegalArgumentException("generation parameters too long for one JPEG XMP segment: "
                    + packet.length + " bytes");
        }
        byte[] out = new byte[jpeg.length + 2 + length];
        System.arraycopy(jpeg, 0, out, 0, at);
        int p = at;
        out[p++] = (byte) 0xff;
        out[p++] = (byte) 0xe1;
        out[p++] = (byte) (length >> 8);
        out[p++] = (byte) length;
        System.arraycopy(XMP_ID, 0, out, p, XMP_ID.length);
        p += XMP_ID.length;
        System.arraycopy(packet, 0, out, p, packet.length);
        p += packet.length;
        System.arraycopy(jpeg, at, out, p, jpeg.length - at);
        return out;
    }

    /** The XMP packet of a JPEG's first XMP APP1 segment, if any. */
    public static Optional<byte[]> xmp(byte[] jpeg) {
        int p = 2;
        while (p + 4 <= jpeg.length && (jpeg[p] & 0xff) == 0xff) {
            int marker = jpeg[p + 1] & 0xff;
            int length = (jpeg[p + 2] & 0xff) << 8 | jpeg[p + 3] & 0xff;
            if (marker == 0xda) {
                break; // start of scan: no more metadata
            }
            if (marker == 0xe1 && length >= 2 + XMP_ID.length
                    && Arrays.equals(jpeg, p + 4, p + 4 + XMP_ID.length, XMP_ID, 0, XMP_ID.length)) {
                return Optional.of(Arrays.copyOfRange(jpeg, p + 4 + XMP_ID.length, p + 2 + length));
            }
            p += 2 + length;
        }
        return Optional.empty();
    }
}
