package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.ObjectStores;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.RgbImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;

/** img2img init images from a local path, {@code file://} or {@code s3://}; they must match the output size. */
final class InitImages {
    private InitImages() {
    }

    static RgbImage read(String uri, int width, int height, S3Settings s3) {
        byte[] data;
        if (ObjectStores.isS3(uri)) {
            URI u = URI.create(uri);
            String key = u.getPath().replaceFirst("^/", "");
            try (ObjectStore bucket = ObjectStores.open(u.getScheme() + "://" + u.getHost(), s3)) {
                data = bucket.get(key).orElseThrow(() -> new IllegalArgumentException("init_image_uri: " + uri
                        + " does not exist"));
            }
        } else {
            try {
                data = Files.readAllBytes(ObjectStores.localPath(uri));
            } catch (IOException e) {
                throw new UncheckedIOException("init_image_uri: " + uri + " cannot be read: " + e.getMessage(), e);
            }
        }
        RgbImage image = Png.decode(data, "init_image_uri " + uri);
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException("init_image_uri: " + uri + " is " + image.width() + "x"
                    + image.height() + " but the request asks for " + width + "x" + height);
        }
        return image;
    }
}
