package dev.ldmforge.jobs.output;

import dev.ldmforge.jobs.images.Jpeg;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.images.Webp;
import dev.ldmforge.runtime.pipeline.RgbImage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The stored image encoding, its file extension (also the WebDataset member suffix) and content type. Every
 * format carries the generation parameters: PNG as iTXt chunks, JPEG and WebP as XMP.
 */
public enum ImageFormat {
    PNG("png", "image/png"),
    JPEG("jpg", "image/jpeg"),
    WEBP("webp", "image/webp");

    private final String extension;
    private final String contentType;

    ImageFormat(String extension, String contentType) {
        this.extension = extension;
        this.contentType = contentType;
    }

    public String extension() {
        return extension;
    }

    public String contentType() {
        return contentType;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @param quality JPEG/WebP quality 1..100 (WebP 100 = lossless); PNG ignores it (always lossless) */
    public byte[] encode(RgbImage image, Map<String, String> text, int quality) {
        return switch (this) {
            case PNG -> Png.encode(image, text);
            case JPEG -> Jpeg.encode(image, text, quality);
            case WEBP -> Webp.encode(image, text, quality);
        };
    }

    public static ImageFormat parse(String name) {
        for (ImageFormat f : values()) {
            if (f.cliName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--image-format must be one of " + Arrays.stream(values())
                .map(ImageFormat::cliName).collect(Collectors.joining(", ")) + ", got " + name);
    }
}
