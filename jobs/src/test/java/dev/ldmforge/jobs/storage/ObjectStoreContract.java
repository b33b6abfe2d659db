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
