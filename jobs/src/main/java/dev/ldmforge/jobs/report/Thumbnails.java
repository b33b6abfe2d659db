package dev.ldmforge.jobs.report;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Gallery thumbnails for images a browser cannot open on their own (members of tar shards, bytes inside Parquet
 * rows): {@code gallery/<request_id>_<image_index>.jpg}, at most {@value #MAX_SIDE} px on the long side, a few KB.
 * Written once (conditional put) by the run that has the image's bytes; later runs' pages link the same files, as
 * the gallery sample of a dataset does not change.
 */
public final class Thumbnails {
    public static final int MAX_SIDE = 256;

    private Thumbnails() {
    }

    public static final String PREFIX = "gallery/";

    public static String key(String requestId, int imageIndex) {
        return PREFIX + requestId + "_" + imageIndex + ".jpg";
    }

    /** The thumbnail of a PNG, JPEG or WebP image, or null when it cannot be decoded (the page shows the link). */
    public static byte[] jpeg(byte[] image) {
        try {
            BufferedImage full = ImageIO.read(new ByteArrayInputStream(image));
            if (full == null) {
                return null;
            }
            double scale = Math.min(1.0, MAX_SIDE / (double) Math.max(full.getWidth(), full.getHeight()));
            int w = Math.max(1, (int) Math.round(full.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(full.getHeight() * scale));
            BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            var g = small.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(full, 0, 0, w, h, null);
            g.dispose();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                 MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.8f);
                writer.setOutput(out);
                writer.write(null, new IIOImage(small, null, null), param);
                out.flush();
                return bytes.toByteArray();
            } finally {
                writer.dispose();
            }
        } catch (IOException e) {
            return null;
        }
    }
}
