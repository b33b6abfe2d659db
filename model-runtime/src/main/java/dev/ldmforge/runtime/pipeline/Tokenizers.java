package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.PipelineType;
import dev.ldmforge.runtime.weights.WeightsException;

import java.nio.file.Path;
import java.util.List;

/** A model's tokenizers without loading its networks. */
public final class Tokenizers {
    /** SDXL's tokenizer_2 pads with "!" (OpenCLIP's padding), the first tokenizer with its end token. */
    static final String TOKENIZER_2_PAD = "!";

    private Tokenizers() {
    }

    /** The model's (first) tokenizer. */
    public static ClipTokenizer load(String model, LoadOptions options) {
        if (options.tokenizer() != null) {
            return ClipTokenizer.load(options.tokenizer());
        }
        if (model.equals(TinyModel.ID)) {
            return TinyModel.configs().vocabulary().tokenizer();
        }
        try (PipelineCheckpoint checkpoint = PipelineCheckpoint.open(Path.of(DemoModel.locate(model)),
                options.checkpoint())) {
            return ClipTokenizer.load(checkpoint.tokenizerDirectory().orElseThrow(() -> new WeightsException(model
                    + ": a single-file checkpoint carries no tokenizer; pass its folder with --tokenizer")));
        }
    }

    /**
     * The tokenizers {@code checkpoint}'s pipeline needs: the tokenizer ({@code --tokenizer} or the model's), and
     * for SDXL tokenizer_2 — the model's own, or else (a single file) the same CLIP vocabulary padded with "!", as
     * diffusers' single-file loader builds it.
     */
    static List<ClipTokenizer> of(String model, PipelineCheckpoint checkpoint, LoadOptions options) {
        Path dir = options.tokenizer() != null ? options.tokenizer()
                : checkpoint.tokenizerDirectory().orElseThrow(() -> new WeightsException(model
                + ": a single-file checkpoint carries no tokenizer; pass the folder holding the model's CLIP "
                + "tokenizer (vocab.json, merges.txt) with --tokenizer"));
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        if (checkpoint.type() != PipelineType.STABLE_DIFFUSION_XL) {
            return List.of(tokenizer);
        }
        ClipTokenizer tokenizer2 = checkpoint.tokenizer2Directory().map(ClipTokenizer::load)
                .orElseGet(() -> tokenizer.withPadToken(TOKENIZER_2_PAD));
        return List.of(tokenizer, tokenizer2);
    }
}
