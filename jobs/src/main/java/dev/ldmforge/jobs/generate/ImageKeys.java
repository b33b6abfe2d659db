package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.output.ImageFormat;
import dev.ldmforge.jobs.storage.Sha256;

import java.nio.charset.StandardCharsets;

/**
 * Where an image is stored: {@code images/<shard>/<request_id>_<image_index>.png} (or .jpg, .webp), from the request id and image
 * index only (never prompt text), so a retry, a rerun or another executor always targets the same object. The
 * shard (two hex digits of the id's sha256) spreads keys over 256 prefixes for S3 request-rate scaling and keeps
 * local folders small. Request ids are validated to be safe path components.
 */
public final class ImageKeys {
    public static final String IMAGES = "images/";

    private ImageKeys() {
    }

    public static String of(String requestId, int imageIndex) {
        return of(requestId, imageIndex, ImageFormat.PNG);
    }

    /** The key with the format's extension ({@code .png}, {@code .jpg}, {@code .webp}). */
    public static String of(String requestId, int imageIndex, ImageFormat format) {
        String shard = Sha256.hex(requestId.getBytes(StandardCharsets.UTF_8)).substring(0, 2);
        return IMAGES + shard + "/" + name(requestId, imageIndex, format);
    }

    /** The image's file name: {@code <request_id>_<image_index>.<ext>} (the Parquet format's {@code image.path}). */
    public static String name(String requestId, int imageIndex, ImageFormat format) {
        return requestId + "_" + imageIndex + "." + format.extension();
    }
}
