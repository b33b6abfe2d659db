package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.storage.ObjectStores;
import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.RgbImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;

/**
 * img2img init images from a local path, {@code file://} or {@code s3://}, read with bounds a hostile request cannot
 * lift: only regular files (attributes are checked before opening, so a device or FIFO is never opened) and objects,
 * at most {@code maxBytes} (the read stops one byte past it), and the header's width and height are checked against
 * the request before any pixel is decoded (a 15000×15000 PNG of 600 KB would otherwise become a 675 MB raster).
 * Every failure is an {@link IllegalArgumentException} naming the URI and the reason: one INVALID_INIT_IMAGE.
 */
final class InitImages {
    private InitImages() {
    }

    static RgbImage read(String uri, int width, int height, S3Settings s3, long maxBytes) {
        byte[] data = ObjectStores.isS3(uri) ? readS3(uri, s3, maxBytes) : readLocal(uri, maxBytes);
        return decode(uri, data, width, height);
    }

    private static byte[] readLocal(String uri, long maxBytes) {
        Path path;
        try {
            path = ObjectStores.localPath(uri);
        } catch (RuntimeException e) {
            throw invalid(uri, "is not a valid path: " + e.getMessage());
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                throw invalid(uri, "is not a regular file (" + (attrs.isDirectory() ? "a directory"
                        : "a device, FIFO or socket") + ")");
            }
            if (attrs.size() > maxBytes) {
                throw tooLarge(uri, attrs.size() + " bytes", maxBytes);
            }
            try (InputStream in = Files.newInputStream(path)) {
                // The size can lie (files that grow, /proc): the read itself is bounded too.
                byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (data.length > maxBytes) {
                    throw tooLarge(uri, "more than " + maxBytes + " bytes", maxBytes);
                }
                return data;
            }
        } catch (NoSuchFileException e) {
            throw invalid(uri, "does not exist");
        } catch (IOException e) {
            throw invalid(uri, "cannot be read: " + e);
        }
    }

    private static byte[] readS3(String uri, S3Settings s3, long maxBytes) {
        URI u;
        try {
            u = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw invalid(uri, "is not a valid URI: " + e.getMessage());
        }
        String key = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        try (S3ObjectStore bucket = new S3ObjectStore(URI.create(u.getScheme() + "://" + u.getHost()), s3)) {
            long size = bucket.size(key).orElseThrow(() -> invalid(uri, "does not exist"));
            if (size > maxBytes) {
                throw tooLarge(uri, size + " bytes", maxBytes);
            }
            byte[] data = bucket.readAtMost(key, maxBytes).orElseThrow(() -> invalid(uri, "does not exist"));
            if (data.length > maxBytes) {
                throw tooLarge(uri, "more than " + maxBytes + " bytes", maxBytes);
            }
            return data;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw invalid(uri, "cannot be read: " + e.getMessage());
        }
    }

    /** The header's size first (ImageReader.getWidth/getHeight read only the header), then the pixels. */
    static RgbImage decode(String uri, byte[] data, int width, int height) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw invalid(uri, "is not a PNG, JPEG, BMP or GIF image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w != width || h != height) {
                    throw invalid(uri, "is " + w + "x" + h + " (" + reader.getFormatName()
                            + " header) but the request asks for " + width + "x" + height);
                }
                BufferedImage image = reader.read(0);
                return Png.rgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("init_image_uri: ")) {
                throw e;
            }
            throw invalid(uri, "cannot be decoded: " + e);
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders throw anything on corrupt data (IIOException, IndexOutOfBounds, NegativeArraySize…).
            throw invalid(uri, "cannot be decoded: " + e);
        }
    }

    private static IllegalArgumentException tooLarge(String uri, String size, long maxBytes) {
        return invalid(uri, "is " + size + ", more than --max-init-image-bytes " + maxBytes);
    }

    private static IllegalArgumentException invalid(String uri, String reason) {
        return new IllegalArgumentException("init_image_uri: " + uri + " " + reason);
    }
}
