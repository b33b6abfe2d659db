package dev.ldmforge.jobs.generate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The init-image trust boundary: prefixes on path-segment and key boundaries, no escape by .. or symlinks. */
class AllowedLocationsTest {
    @TempDir
    Path dir;

    @Test
    void theDatasetFolderIsAllowedOnSegmentBoundaries() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path prompts = Files.writeString(data.resolve("prompts.jsonl"), "{}\n");
        AllowedLocations allowed = AllowedLocations.of(prompts.toString(), List.of());
        assertEquals(Optional.empty(), allowed.refusal(data.resolve("a/b.png").toString()));
        assertEquals(Optional.empty(), allowed.refusal("file://" + data.resolve("b.png")));
        assertTrue(allowed.refusal(dir.resolve("database/b.png").toString()).isPresent(), "/data is not /database");
        assertTrue(allowed.refusal(data + "/../x.png").get().contains("outside the allowed prefixes"));
        assertTrue(allowed.refusal("/etc/passwd").isPresent());
        assertTrue(allowed.refusal("http://example.com/x.png").get().contains("scheme"));
        assertTrue(allowed.refusal("s3://bucket/x.png").isPresent());
    }

    @Test
    void aSymlinkOutOfTheFolderIsRefused() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createSymbolicLink(data.resolve("passwd.png"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(data.resolve("etc"), Path.of("/etc"));
        AllowedLocations allowed = AllowedLocations.of(data.toString(), List.of());
        assertTrue(allowed.refusal(data.resolve("passwd.png").toString()).get().contains("symbolic link"));
        assertTrue(allowed.refusal(data.resolve("etc/hostname").toString()).get().contains("symbolic link"));
    }

    @Test
    void s3PrefixesMatchOnBucketAndKeyBoundaries() {
        AllowedLocations allowed = AllowedLocations.of("s3://bucket/prompts/part-0.parquet",
                List.of("s3a://images/shared"));
        assertEquals(Optional.empty(), allowed.refusal("s3://bucket/prompts/init/a.png"));
        assertEquals(Optional.empty(), allowed.refusal("s3://images/shared/a.png"));
        assertEquals(Optional.empty(), allowed.refusal("s3a://images/shared/x/a.png"));
        assertTrue(allowed.refusal("s3://images/shared-other/a.png").isPresent(), "key prefix boundary");
        assertTrue(allowed.refusal("s3://bucket/other/a.png").isPresent());
        assertTrue(allowed.refusal("s3://bucket2/prompts/a.png").isPresent(), "bucket boundary");
        assertTrue(allowed.refusal("s3://bucket/prompts/../secrets/a.png").isPresent(), "no .. in keys");
        assertTrue(AllowedLocations.of("kafka:topic", List.of()).refusal("/tmp/x.png").isPresent(),
                "a stream allows only what it names");
    }
}
