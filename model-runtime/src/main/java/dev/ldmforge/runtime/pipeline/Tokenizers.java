package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.hub.CachedTokenizers;
import dev.ldmforge.runtime.hub.HubCache;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.tokenizer.TokenizerConfig;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.SingleFileCheckpoint;
import dev.ldmforge.runtime.weights.WeightsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A model's tokenizer: the one given ({@code --tokenizer}), else the checkpoint's own, else for a single file (which
 * carries none) its family's tokenizer from the Hugging Face cache ({@link CachedTokenizers}).
 */
public final class Tokenizers {
    private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);

    private Tokenizers() {
    }

    /** The tokenizer alone, without loading the networks (for a hub id: the configs and tokenizer are fetched). */
    public static ClipTokenizer load(String model, LoadOptions options) {
        if (options.tokenizer() != null) {
            return ClipTokenizer.load(options.tokenizer());
        }
        if (model.equals(TinyModel.ID)) {
            return TinyModel.configs().vocabulary().tokenizer();
        }
        ModelLocation location = ModelLocation.resolve(model, options, HubModels.Fetch.CONFIGS);
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(location.path(), options.checkpoint())) {
            return of(checkpoint, options, model);
        }
    }

    /** The tokenizer for an opened checkpoint of {@code model}. */
    static ClipTokenizer of(PipelineCheckpoint checkpoint, LoadOptions options, String model) {
        if (options.tokenizer() != null) {
            return ClipTokenizer.load(options.tokenizer());
        }
        Optional<Path> own = checkpoint.tokenizerDirectory();
        if (own.isPresent()) {
            return ClipTokenizer.load(own.get());
        }
        String repo = CachedTokenizers.repoFor(((SingleFileCheckpoint) checkpoint).family());
        HubCache cache = new HubCache(options.hubSettings().cache());
        Path dir = CachedTokenizers.find(cache, repo).orElseThrow(() -> new WeightsException(model + ": a "
                + "single-file checkpoint carries no tokenizer and the Hugging Face cache " + cache.root() + " has "
                + "none of " + repo + "; pass the folder holding the model's CLIP tokenizer (vocab.json, merges.txt) "
                + "with --tokenizer, or put " + repo + " in the cache (e.g. huggingface-cli download " + repo
                + " vocab.json merges.txt tokenizer_config.json special_tokens_map.json)"));
        String pad = CachedTokenizers.padToken(repo);
        LOG.info("{}: tokenizer {} from the Hugging Face cache: {}{}", model, repo, dir,
                pad != null ? " (padding with " + pad + " as the model was trained)" : "");
        TokenizerConfig config = TokenizerConfig.read(dir);
        return ClipTokenizer.load(dir, pad != null ? config.withPadToken(pad) : config);
    }
}
