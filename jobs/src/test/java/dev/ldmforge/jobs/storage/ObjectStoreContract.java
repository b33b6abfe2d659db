package dev.ldmforge.jobs.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every object store must guarantee; each implementation's test supplies a fresh empty store. */
abstract class ObjectStoreContract {

    abstract ObjectStore store();

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void conditionalPutCreatesOnceAndTheFirstObjectWins() {
        ObjectStore store = store();
        ObjectStore.PutResult first = store.putIfAbsent("images/ab/k.png", bytes("first"), "image/png");
        ObjectStore.PutResult second = store.putIfAbsent("images/ab/k.png", bytes("second"), "image/png");
        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(Sha256.hex(bytes("first")), second.sha256(), "the stored object's hash is reported");
        assertArrayEquals(bytes("first"), store.get("images/ab/k.png").orElseThrow());
        assertEquals(first.uri(), store.uri("images/ab/k.png"));
    }

    @Test
    void conditionalFilePutCreatesOnceAndTheFirstFileWins() throws java.io.IOException {
        ObjectStore store = store();
        java.nio.file.Path first = java.nio.file.Files.createTempFile("shard-", ".tar");
        java.nio.file.Path second = java.nio.file.Files.createTempFile("shard-", ".tar");
        try {
            java.nio.file.Files.write(first, bytes("first shard"));
            java.nio.file.Files.write(second, bytes("second shard"));
            ObjectStore.PutResult a = store.putFileIfAbsent("shards/00000.tar", first, "application/x-tar");
            ObjectStore.PutResult b = store.putFileIfAbsent("shards/00000.tar", second, "application/x-tar");
            assertTrue(a.created());
            assertFalse(b.created());
            assertEquals(Sha256.hex(bytes("first shard")), a.sha256());
            assertEquals(a.sha256(), b.sha256(), "the stored object's hash is reported");
            assertArrayEquals(bytes("first shard"), store.get("shards/00000.tar").orElseThrow());
            assertEquals(List.of("shards/00000.tar"), store.list("shards/"), "no temporary files left");
        } finally {
            java.nio.file.Files.deleteIfExists(first);
            java.nio.file.Files.deleteIfExists(second);
        }
    }

    @Test
    void overwriteListAndExists() {
        ObjectStore store = store();
        store.put("_SUMMARY.json", bytes("{\"a\":1}"), "application/json");
        store.put("_SUMMARY.json", bytes("{\"a\":2}"), "application/json");
        assertArrayEquals(bytes("{\"a\":2}"), store.get("_SUMMARY.json").orElseThrow());
        store.putIfAbsent("images/00/x.png", bytes("x"), "image/png");
        store.putIfAbsent("images/01/y.png", bytes("y"), "image/png");
        assertEquals(List.of("images/00/x.png", "images/01/y.png"), store.list("images/"));
        assertTrue(store.exists("images/00/x.png"));
        assertFalse(store.exists("images/00/missing.png"));
        assertTrue(store.get("nope").isEmpty());
    }
}
