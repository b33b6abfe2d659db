package dev.ldmforge.runtime.hub;

import dev.ldmforge.runtime.weights.DiffusersFolder;
import dev.ldmforge.runtime.weights.PipelineComponent;
import dev.ldmforge.runtime.weights.PipelineType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files of a diffusers pipeline repository that the runtime reads, and nothing else: per component of its
 * pipeline type (SDXL has a second text encoder and tokenizer) its config
 * and, when weights are wanted, the one weights file {@link DiffusersFolder} would choose (a {@code .safetensors}
 * file or shard index of the variant; pickles only when nothing else exists, and then refused); the tokenizer's
 * vocabulary, merges and special-token files. Safety checkers, feature extractors, root-level checkpoints,
 * {@code .bin} copies, other variants and images are never fetched. {@code model_index.json} and the shards an
 * index names are the caller's: the first is read before anything else, the second after their index.
 */
final class PipelineFiles {
    static final String MODEL_INDEX = "model_index.json";
    /** Read when present; listed before the required files so that a snapshot holding those holds these too. */
    private static final List<String> TOKENIZER_OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json",
            "added_tokens.json");
    private static final List<String> TOKENIZER_REQUIRED = List.of("vocab.json", "merges.txt");

    private PipelineFiles() {
    }

    /**
     * The files to fetch from a repository holding {@code files} (paths from its root), in download order: small
     * files first, weights last. Throws when a required file is missing.
     *
     * @param where names the repository and revision in errors
     */
    static List<String> select(String where, Set<String> files, PipelineType type, String variant,
                               HubModels.Fetch fetch) {
        List<String> out = new ArrayList<>();
        for (PipelineComponent c : type.components()) {
            if (c == PipelineComponent.TOKENIZER || c == PipelineComponent.TOKENIZER_2) {
                TOKENIZER_OPTIONAL.stream().map(f -> c.folder() + "/" + f).filter(files::contains).forEach(out::add);
                TOKENIZER_REQUIRED.forEach(f -> out.add(required(where, files, c.folder() + "/" + f)));
            } else {
                String config = c == PipelineComponent.SCHEDULER ? "scheduler_config.json" : "config.json";
                out.add(required(where, files, c.folder() + "/" + config));
            }
        }
        if (fetch == HubModels.Fetch.ALL) {
            for (PipelineComponent c : type.components()) {
                if (c.hasWeights()) {
                    out.add(c.folder() + "/" + DiffusersFolder.weightsFileName(where + " " + c.folder() + "/",
                            namesIn(files, c.folder()), variant));
                }
            }
        }
        return out;
    }

    /** Whether {@code file} is a shard index, whose shards are fetched once it is read. */
    static boolean isShardIndex(String file) {
        return file.contains(".safetensors.index") && file.endsWith(".json");
    }

    private static String required(String where, Set<String> files, String file) {
        if (!files.contains(file)) {
            throw new HubException(where + " has no " + file + ", which a Stable Diffusion pipeline needs");
        }
        return file;
    }

    /** The names of the files directly inside {@code folder}. */
    private static List<String> namesIn(Set<String> files, String folder) {
        String prefix = folder + "/";
        return files.stream().filter(f -> f.startsWith(prefix) && f.indexOf('/', prefix.length()) < 0)
                .map(f -> f.substring(prefix.length())).toList();
    }
}
