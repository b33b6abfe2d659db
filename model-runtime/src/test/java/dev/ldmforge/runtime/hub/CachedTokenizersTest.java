package dev.ldmforge.runtime.hub;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.Tokenizers;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.tokenizer.TokenizerConfig;
import dev.ldmforge.runtime.weights.CheckpointOptions;
import dev.ldmforge.runtime.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single-file checkpoints without {@code --tokenizer}: their family's tokenizer from the Hugging Face cache. */
class CachedTokenizersTest {
    private static final String COMMIT = "1111111111111111111111111111111111111111";
    private static final String OTHER = "2222222222222222222222222222222222222222";

    @TempDir
    Path cache;

    /** The fixtures' single file with what its shapes cannot tell; the hub at a port nothing listens on. */
    private LoadOptions options() {
        return LoadOptions.cpu().withHub(new HubSettings(URI.create("http://127.0.0.1:9"), null, cache, false, true))
                .withCheckpoint(CheckpointOptions.defaults()
                        .withInferenceYaml(Fixtures.path("tiny-sd-original-inference.yaml"))
                        .withTextEncoderConfig(JsonConfig.read(Fixtures.path("tiny-sd/text_encoder/config.json"))));
    }

    /** The fixtures' CLIP tokenizer files as huggingface_hub caches a repository's snapshot. */
    private Path cached(String repo, String commit, String subfolder, boolean main) throws IOException {
        HubModelId id = new HubModelId(repo, null);
        Path target = new HubCache(cache).snapshot(id, commit).resolve(subfolder);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Fixtures.path("tokenizer"))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        if (main) {
            new HubCache(cache).writeRef(id, "main", commit);
        }
        return target;
    }

    @Test
    void anSd1SingleFileUsesOpenAiClipFromTheCache() throws IOException {
        Path single = Fixtures.path("tiny-sd-original.safetensors");
        WeightsException missing = assertThrows(WeightsException.class,
                () -> StableDiffusion.load(single.toString(), options()).close());
        for (String s : new String[] {"--tokenizer", CachedTokenizers.CLIP_VIT_L, cache.toString()}) {
            assertTrue(missing.getMessage().contains(s), "'" + s + "' in: " + missing.getMessage());
        }

        cached(CachedTokenizers.CLIP_VIT_L, COMMIT, "", true);
        ClipTokenizer reference = ClipTokenizer.load(Fixtures.path("tokenizer"));
        try (StableDiffusion sd = StableDiffusion.load(single.toString(), options())) {
            assertArrayEquals(reference.encode("a photo of a cat").inputIds(),
                    sd.tokenizer().encode("a photo of a cat").inputIds());
        }
        assertEquals(reference.padTokenId(), Tokenizers.load(single.toString(), options()).padTokenId());
    }

    @Test
    void openClipTokenizersAreFoundInTokenizerFoldersAndPadWithTokenZero() throws IOException {
        String repo = CachedTokenizers.OPEN_CLIP_VIT_H;
        HubCache hub = new HubCache(cache);
        assertEquals(Optional.empty(), CachedTokenizers.find(hub, repo));
        Path dir = cached(repo, OTHER, "tokenizer", false);
        assertEquals(Optional.of(dir), CachedTokenizers.find(hub, repo), "no refs/main: the newest snapshot");
        Path root = cached(repo, COMMIT, "", true);
        assertEquals(Optional.of(root), CachedTokenizers.find(hub, repo), "refs/main's snapshot first");

        assertEquals("!", CachedTokenizers.padToken(repo));
        assertEquals("!", CachedTokenizers.padToken(CachedTokenizers.OPEN_CLIP_VIT_BIGG));
        assertEquals(null, CachedTokenizers.padToken(CachedTokenizers.CLIP_VIT_L));
        ClipTokenizer openClip = ClipTokenizer.load(root, TokenizerConfig.read(root).withPadToken("!"));
        assertEquals(0, openClip.padTokenId());
        assertEquals(0, openClip.encode("a cat").inputIds()[76]);
    }
}
