package dev.ldmforge.jobs.report;

import dev.ldmforge.jobs.storage.LocalObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelativeLinksTest {

    @Test
    void localStoreUrisAreRelativeToTheOutputFolderHoweverItWasNamed(@TempDir Path dir) {
        try (LocalObjectStore store = new LocalObjectStore(dir.resolve("out"))) {
            String uri = store.uri("images/3f/r-a_0.png");
            for (String root : new String[] {dir + "/out", dir + "/out/", dir.resolve("out").toUri().toString(),
                    dir + "/x/../out"}) {
                assertEquals("images/3f/r-a_0.png", RelativeLinks.relativePath(root, uri), root);
            }
        }
        String cwdRelative = Path.of("out/images/a.png").toAbsolutePath().toString();
        assertEquals("images/a.png", RelativeLinks.relativePath("out", cwdRelative));
    }

    @Test
    void s3UrisAreRelativeToTheBucketPrefix() {
        String uri = "s3://bucket/jobs/run-1/images/3f/r-a_0.png";
        for (String root : new String[] {"s3://bucket/jobs/run-1", "s3://bucket/jobs/run-1/", "s3a://bucket/jobs/run-1"}) {
            assertEquals("images/3f/r-a_0.png", RelativeLinks.relativePath(root, uri), root);
        }
        assertEquals("images/x.png", RelativeLinks.relativePath("s3://bucket", "s3://bucket/images/x.png"));
    }

    @Test
    void objectsOutsideTheRootAreRefused() {
        String[][] cases = {
                {"s3://bucket/run-1", "s3://bucket/run-10/images/x.png"},
                {"s3://bucket/run-1", "s3://other/run-1/images/x.png"},
                {"s3://bucket/run-1", "/data/run-1/images/x.png"},
                {"/data/run-1", "/data/run-10/images/x.png"},
                {"/data/run-1", "s3://data/run-1/images/x.png"},
                {"/data/run-1", "/data/run-1"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RelativeLinks.relativePath(c[0], c[1]), c[1]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[0]), e.getMessage());
        }
    }

    @Test
    void hrefsPercentEncodeEverythingButUnreservedCharactersAndSlashes() {
        assertEquals("images/3f/r-a_0.png", RelativeLinks.href("images/3f/r-a_0.png"));
        assertEquals("images/a%20b/%23%3F%25%22%3C%C3%A9~.png", RelativeLinks.href("images/a b/#?%\"<é~.png"));
    }
}
