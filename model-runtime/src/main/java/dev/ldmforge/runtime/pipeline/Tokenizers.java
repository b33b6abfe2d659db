package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.hub.CachedTokenizers;
import dev.ldmforge.runtime.hub.HubCache;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.tokenizer.TokenizerConfig;
import dev.ldmforge.runtime.weights.ModelFamily;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.PipelineType;
import dev.ldmforge.runtime.weights.SingleFileCheckpoint;
import dev.ldmforge.runtime.weights.WeightsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model's tokenizers: the one given ({@code --tokenizer}), else the checkpoint's own, else for a single file (which
 * carries none) its family's tokenizer from the Hugging Face cache ({@link CachedTokenizers}).
 */
public final class Tokenizers {
    /** SDXL's tokenizer_2 pads with "!" (OpenCLIP's padding), the first tokenizer with its end token. */
    static final String TOKENIZER_2_PAD = "!";
    private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);

    private Tokenizers() {
    }

    /** The (first) tokenizer alone, without loading the networks (for a hub id: configs and tokenizer are fetched). */
    public static ClipTokenizer load(String model, LoadOptions options) {
        if (options.tokenizer() != null) {
            return ClipTokenizer.load(options.tokenizer());
        }
        if (model.equals(TinyModel.ID)) {
            return TinyModel.configs().vocabulary().tokenizer();
        }
        ModelLocation location = ModelLocation.resolve(model, options, HubModels.Fetch.CONFIGS);
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(location.path(), options.checkpoint())) {
            return first(model, checkpoint, options);
        }
    }

    /**
     * The tokenizers {@code checkpoint}'s pipeline needs: the first one, and for SDXL tokenizer_2 — the model's own,
     * else (a single file) OpenCLIP bigG's from the Hugging Face cache, else the first one's CLIP vocabulary padded
     * with "!", as diffusers' single-file loader builds it.
     */
    static List<ClipTokenizer> of(String model, PipelineCheckpoint checkpoint, LoadOptions options) {
        ClipTokenizer tokenizer = first(model, checkpoint, options);
        if (checkpoint.type() != PipelineType.STABLE_DIFFUSION_XL) {
            return List.of(tokenizer);
        }
        ClipTokenizer tokenizer2 = checkpoint.tokenizer2Directory().map(ClipTokenizer::load)
                .or(() -> cached(model, options, CachedTokenizers.OPEN_CLIP_VIT_BIGG))
                .orElseGet(() -> tokenizer.withPadToken(TOKENIZER_2_PAD));
        return List.of(tokenizer, tokenizer2);
    }

    private static ClipTokenizer first(String model, PipelineCheckpoint checkpoint, LoadOptions options) {
        if (options.tokenizer() != null) {
            return ClipTokenizer.load(options.tokenizer());
        }
        Optional<Path> own = checkpoint.tokenizerDirectory();
        if (own.isPresent()) {
            return ClipTokenizer.load(own.get());
        }
        ModelFamily family = ((SingleFileCheckpoint) checkpoint).family();
        String repo = CachedTokenizers.repoFor(family);
        return cached(model, options, repo).orElseThrow(() -> new WeightsException(model + ": a single-file "
                + "checkpoint carries no tokenizer and the Hugging Face cache " + cacheRoot(options) + " has none of "
                + repo + "; pass the folder holding the model's CLIP tokenizer (vocab.json, merges.txt) with "
                + "--tokenizer, or put " + repo + " in the cache (e.g. ldmforge download " + repo + ", or "
                + "huggingface-cli download " + repo + " vocab.json merges.txt tokenizer_config.json "
                + "special_tokens_map.json)"));
    }

    /** {@code repo}'s tokenizer from the Hugging Face cache, with the pad token its text encoder was trained with. */
    private static Optional<ClipTokenizer> cached(String model, LoadOptions options, String repo) {
        HubCache cache = new HubCache(options.hubSettings().cache());
        return CachedTokenizers.find(cache, repo).map(dir -> {
            String pad = CachedTokenizers.padToken(repo);
            LOG.info("{}: tokenizer {} from the Hugging Face cache: {}{}", model, repo, dir,
                    pad != null ? " (padding with " + pad + " as the model was trained)" : "");
            TokenizerConfig config = TokenizerConfig.read(dir);
            return ClipTokenizer.load(dir, pad != null ? config.withPadToken(pad) : config);
        });
    }

    private static Path cacheRoot(LoadOptions options) {
        return new HubCache(options.hubSettings().cache()).root();
    }
}
