package dev.ldmforge.jobs.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    ObjectStore store() {
        return new LocalObjectStore(dir);
    }

    @Test
    void keysCannotEscapeTheFolder() {
        assertThrows(IllegalArgumentException.class,
                () -> store().putIfAbsent("../outside.png", new byte[] {1}, "image/png"));
    }

    /*
     * Only here: S3 guarantees atomic conditional writes, but S3Proxy checks then writes, so two concurrent writers
     * can both succeed against the test server. The job never races writers on one key except retried or
     * speculative tasks, which the metadata commit de-duplicates.
     */
    @Test
    void concurrentWritersLeaveExactlyOneObject() throws Exception {
        ObjectStore store = store();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ObjectStore.PutResult>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String body = "writer-" + i;
                results.add(pool.submit(() -> store.putIfAbsent("race/one.png", ObjectStoreContract.bytes(body), "image/png")));
            }
            List<ObjectStore.PutResult> done = new ArrayList<>();
            for (Future<ObjectStore.PutResult> f : results) {
                done.add(f.get());
            }
            String winner = new String(store.get("race/one.png").orElseThrow(), StandardCharsets.UTF_8);
            int created = 0;
            for (ObjectStore.PutResult r : done) {
                created += r.created() ? 1 : 0;
                assertEquals(Sha256.hex(ObjectStoreContract.bytes(winner)), r.sha256());
            }
            assertEquals(1, created);
        } finally {
            pool.shutdownNow();
        }
    }

}
