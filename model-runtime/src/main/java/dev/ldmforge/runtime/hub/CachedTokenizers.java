package dev.ldmforge.runtime.hub;

import dev.ldmforge.runtime.weights.ModelFamily;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Tokenizers of CLIP text encoders found in the Hugging Face cache, for checkpoints that carry none (single files):
 * the cache is read, never filled. The repositories are those the original models were trained with:
 * <ul>
 *   <li>{@link #CLIP_VIT_L} ({@code openai/clip-vit-large-patch14}): SD 1.x, and SDXL's first tokenizer;</li>
 *   <li>{@link #OPEN_CLIP_VIT_H} ({@code laion/CLIP-ViT-H-14-laion2B-s32B-b79K}): SD 2.x;</li>
 *   <li>{@link #OPEN_CLIP_VIT_BIGG} ({@code laion/CLIP-ViT-bigG-14-laion2B-39B-b160k}): SDXL's second tokenizer.</li>
 * </ul>
 * OpenCLIP pads with token id 0 ({@code !}) where the laion repositories' files say {@code <|endoftext|>}; diffusers'
 * SD 2.x and SDXL {@code tokenizer_2} folders say {@code !}: callers loading an OpenCLIP tokenizer from here set that
 * pad token ({@link #padToken}).
 */
public final class CachedTokenizers {
    public static final String CLIP_VIT_L = "openai/clip-vit-large-patch14";
    public static final String OPEN_CLIP_VIT_H = "laion/CLIP-ViT-H-14-laion2B-s32B-b79K";
    public static final String OPEN_CLIP_VIT_BIGG = "laion/CLIP-ViT-bigG-14-laion2B-39B-b160k";
    private static final List<String> FILES = List.of("vocab.json", "merges.txt");

    private CachedTokenizers() {
    }

    /** The (first) tokenizer repository of a single-file checkpoint's family. */
    public static String repoFor(ModelFamily family) {
        return family == ModelFamily.SD2 ? OPEN_CLIP_VIT_H : CLIP_VIT_L;
    }

    /** The pad token a tokenizer of {@code repo} must use to match its text encoder's training (null: its own). */
    public static String padToken(String repo) {
        return repo.equals(OPEN_CLIP_VIT_H) || repo.equals(OPEN_CLIP_VIT_BIGG) ? "!" : null;
    }

    /**
     * The folder holding {@code vocab.json} and {@code merges.txt} of {@code repo} in the cache: at the snapshot's
     * root or in its {@code tokenizer/}; the snapshot {@code refs/main} names first, else the newest snapshot.
     */
    public static Optional<Path> find(HubCache cache, String repo) {
        HubModelId id = new HubModelId(repo, null);
        Optional<String> main = cache.ref(id, HubModelId.DEFAULT_REVISION);
        Stream<Path> mainFirst = main.map(c -> cache.snapshot(id, c)).stream();
        return Stream.concat(mainFirst, snapshotsNewestFirst(cache.repoFolder(id).resolve("snapshots")).stream())
                .flatMap(s -> Stream.of(s, s.resolve("tokenizer")))
                .filter(dir -> FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f))))
                .findFirst();
    }

    private static List<Path> snapshotsNewestFirst(Path snapshots) {
        if (!Files.isDirectory(snapshots)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(snapshots)) {
            return s.filter(Files::isDirectory).sorted(Comparator.comparing(CachedTokenizers::modified).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + snapshots + ": " + e.getMessage(), e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
