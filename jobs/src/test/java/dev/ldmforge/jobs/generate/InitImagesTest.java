package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.jobs.testing.S3ProxyServer;
import dev.ldmforge.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded init-image reads from real files, special files and a real S3-compatible server. */
class InitImagesTest {
    private static final long MAX = 100_000;

    @TempDir
    Path dir;

    private static String refusal(String uri, int size) {
        return assertThrows(IllegalArgumentException.class,
                () -> InitImages.read(uri, size, size, S3Settings.from(java.util.Map.of()), MAX)).getMessage();
    }

    @Test
    void aGoodImageIsRead() throws IOException {
        Path good = HostileInputs.goodPng(dir.resolve("good.png"), 64, 64);
        RgbImage image = InitImages.read(good.toString(), 64, 64, S3Settings.from(java.util.Map.of()), MAX);
        assertEquals(64, image.width());
        assertEquals("init_image_uri: " + good + " is 64x64 (png header) but the request asks for 32x32",
                refusal(good.toString(), 32));
    }

    @Test
    @Timeout(20)
    void specialFilesAreRefusedWithoutOpeningThem() throws Exception {
        Path fifo = HostileInputs.fifo(dir.resolve("pipe.png"));
        assertTrue(refusal(fifo.toString(), 64).endsWith("is not a regular file (a device, FIFO or socket)"));
        assertTrue(refusal("/dev/zero", 64).contains("/dev/zero is not a regular file"));
        assertTrue(refusal(dir.toString(), 64).endsWith("is not a regular file (a directory)"));
        assertTrue(refusal(dir.resolve("missing.png").toString(), 64).endsWith("does not exist"));
    }

    @Test
    void sizeAndHeaderAreCheckedBeforeAnyPixelIsDecoded() throws IOException {
        Path big = Files.write(dir.resolve("big.png"), new byte[(int) MAX + 1]);
        assertTrue(refusal(big.toString(), 64).endsWith("is 100001 bytes, more than --max-init-image-bytes 100000"));
        Path png = HostileInputs.pngBomb(dir.resolve("bomb.png"), 15000, 15000);
        String message = assertThrows(IllegalArgumentException.class, () -> InitImages.read(png.toString(), 64, 64,
                S3Settings.from(java.util.Map.of()), 1 << 20)).getMessage();
        assertTrue(message.contains("is 15000x15000 (png header)"), message);
        Path jpeg = HostileInputs.jpegBomb(dir.resolve("bomb.jpg"), 65000, 65000);
        assertTrue(refusal(jpeg.toString(), 64).contains("is 65000x65000 (JPEG header)"), refusal(jpeg.toString(), 64));
        Path text = Files.writeString(dir.resolve("text.png"), "root:x:0:0:root:/root:/bin/bash\n");
        assertTrue(refusal(text.toString(), 64).endsWith("is not a PNG, JPEG, BMP or GIF image"));
    }

    @Test
    void s3ObjectsAreSizedFirstThenReadWithABound() throws IOException {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket("init-images");
        S3Settings s3 = S3ProxyServer.settings(server.endpoint(), 3);
        String prefix = "run-" + System.nanoTime();
        byte[] good = Files.readAllBytes(HostileInputs.goodPng(dir.resolve("good.png"), 64, 64));
        try (S3ObjectStore store = new S3ObjectStore(URI.create("s3://init-images/" + prefix), s3)) {
            store.put("good.png", good, "image/png");
            store.put("big.png", new byte[(int) MAX + 10], "image/png");
        }
        String base = "s3://init-images/" + prefix + "/";
        assertEquals(64, InitImages.read(base + "good.png", 64, 64, s3, MAX).height());
        String big = assertThrows(IllegalArgumentException.class,
                () -> InitImages.read(base + "big.png", 64, 64, s3, MAX)).getMessage();
        assertTrue(big.endsWith("is 100010 bytes, more than --max-init-image-bytes 100000"), big);
        String missing = assertThrows(IllegalArgumentException.class,
                () -> InitImages.read(base + "missing.png", 64, 64, s3, MAX)).getMessage();
        assertTrue(missing.endsWith("does not exist"), missing);
    }
}
