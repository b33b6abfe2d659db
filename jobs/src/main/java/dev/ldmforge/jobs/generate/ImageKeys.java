package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.storage.Sha256;

import java.nio.charset.StandardCharsets;

/**
 * Where an image is stored: {@code images/<shard>/<request_id>_<image_index>.png}, from the request id and image
 * index only (never prompt text), so a retry, a rerun or another executor always targets the same object. The
 * shard (two hex digits of the id's sha256) spreads keys over 256 prefixes for S3 request-rate scaling and keeps
 * local folders small. Request ids are validated to be safe path components.
 */
public final class ImageKeys {
    public static final String IMAGES = "images/";

    private ImageKeys() {
    }

    public static String of(String requestId, int imageIndex) {
        String shard = Sha256.hex(requestId.getBytes(StandardCharsets.UTF_8)).substring(0, 2);
        return IMAGES + shard + "/" + requestId + "_" + imageIndex + ".png";
    }
}
