package dev.ldmforge.jobs.storage;

import dev.ldmforge.jobs.testing.FaultInjectingProxy;
import dev.ldmforge.jobs.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against a real S3-compatible server (S3Proxy on 127.0.0.1). */
class S3ObjectStoreTest extends ObjectStoreContract {
    private static final String BUCKET = "ldmforge-store-test";

    @Override
    ObjectStore store() {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket(BUCKET);
        return new S3ObjectStore(URI.create("s3://" + BUCKET + "/run-" + UUID.randomUUID()),
                S3ProxyServer.settings(server.endpoint(), 3));
    }

    @Test
    void serverErrorsAreRetriedWithBackoffAndNothingIsLost() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket(BUCKET);
        try (FaultInjectingProxy flaky = new FaultInjectingProxy(server.endpoint(), 3);
             ObjectStore store = new S3ObjectStore(URI.create("s3://" + BUCKET + "/flaky-" + UUID.randomUUID()),
                     S3ProxyServer.settings(flaky.endpoint(), 5))) {
            ObjectStore.PutResult r = store.putIfAbsent("images/a.png", "png".getBytes(StandardCharsets.UTF_8),
                    "image/png");
            assertTrue(r.created());
            assertEquals(3, flaky.injected());
            assertEquals("png", new String(store.get("images/a.png").orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void persistentServerErrorsSurfaceAfterTheLastAttempt() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket(BUCKET);
        try (FaultInjectingProxy down = new FaultInjectingProxy(server.endpoint(), 100);
             ObjectStore store = new S3ObjectStore(URI.create("s3://" + BUCKET + "/down-" + UUID.randomUUID()),
                     S3ProxyServer.settings(down.endpoint(), 2))) {
            S3Exception e = assertThrows(S3Exception.class,
                    () -> store.putIfAbsent("images/a.png", new byte[] {1}, "image/png"));
            assertEquals(503, e.statusCode());
            assertEquals(2, down.injected());
        }
    }
}
