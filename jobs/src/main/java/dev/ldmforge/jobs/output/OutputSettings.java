package dev.ldmforge.jobs.output;

import java.io.Serializable;

/**
 * How a job stores its images, shipped to the executors inside the job options.
 *
 * @param imageQuality     JPEG/WebP quality 1..100; 100 gives lossless WebP
 * @param samplesPerShard  WebDataset samples per tar shard
 * @param galleryMaxImages thumbnails on {@code index.html} at most (a deterministic sample beyond that)
 */
public record OutputSettings(OutputFormat outputFormat, ImageFormat imageFormat, int imageQuality,
                             int samplesPerShard, int galleryMaxImages) implements Serializable {
    public static final int DEFAULT_QUALITY = 90;
    public static final int DEFAULT_SAMPLES_PER_SHARD = 10_000;
    public static final int DEFAULT_GALLERY_MAX_IMAGES = 500;
    public static final OutputSettings DEFAULT = new OutputSettings(OutputFormat.FILES, ImageFormat.PNG,
            DEFAULT_QUALITY, DEFAULT_SAMPLES_PER_SHARD, DEFAULT_GALLERY_MAX_IMAGES);

    public OutputSettings {
        if (outputFormat == null || imageFormat == null) {
            throw new IllegalArgumentException("--output-format and --image-format must be set");
        }
        if (imageQuality < 1 || imageQuality > 100) {
            throw new IllegalArgumentException("--image-quality must be 1..100, got " + imageQuality);
        }
        if (samplesPerShard < 1) {
            throw new IllegalArgumentException("--samples-per-shard must be at least 1, got " + samplesPerShard);
        }
        if (galleryMaxImages < 0) {
            throw new IllegalArgumentException("--gallery-max-images must be at least 0, got " + galleryMaxImages);
        }
    }
}
