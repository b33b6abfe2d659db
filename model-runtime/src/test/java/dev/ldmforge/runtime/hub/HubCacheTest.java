package dev.ldmforge.runtime.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names from the Hub or a mirror (file paths, ETags, revisions, commits) never reach outside the cache. */
class HubCacheTest {
    private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
    private static final HubModelId ID = new HubModelId("org/name", null);

    @TempDir
    Path root;

    @Test
    void hostileNamesAreRefused() {
        HubCache cache = new HubCache(root);
        for (String file : new String[] {"../../../etc/passwd", "/etc/passwd", "unet/../../x", "a\\b", ""}) {
            assertThrows(HubException.class, () -> cache.pointer(ID, COMMIT, file), file);
        }
        for (String etag : new String[] {"../x", "a/b", "..", "x y", ""}) {
            assertThrows(HubException.class, () -> cache.blob(ID, etag), etag);
        }
        assertThrows(HubException.class, () -> cache.snapshot(ID, "main"));
        assertThrows(HubException.class, () -> cache.writeRef(ID, "main", "../../x"));
    }

    @Test
    void aStoredFileIsABlobBehindARelativeLink() throws Exception {
        HubCache cache = new HubCache(root);
        cache.writeRef(ID, "refs/pr/1", COMMIT);
        assertEquals(COMMIT, cache.ref(ID, "refs/pr/1").orElseThrow());
        Path tmp = cache.newTempBlob(ID);
        Files.writeString(tmp, "{}");
        String etag = HubTestServer.sha256("{}".getBytes());
        cache.store(ID, COMMIT, "unet/config.json", tmp, etag);
        Path pointer = cache.pointer(ID, COMMIT, "unet/config.json");
        assertEquals(Path.of("../../../blobs/" + etag), Files.readSymbolicLink(pointer));
        assertEquals("{}", Files.readString(pointer));
        assertTrue(cache.has(ID, COMMIT, "unet/config.json"));
        assertTrue(Files.exists(root.resolve(".locks/models--org--name/" + etag + ".lock")));
    }
}
