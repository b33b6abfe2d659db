package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.tokenizer.ClipTokenizer;
import dev.ldmforge.runtime.weights.PipelineCheckpoint;
import dev.ldmforge.runtime.weights.WeightsException;

import java.nio.file.Path;

/** A model's tokenizer without loading its networks. */
public final class Tokenizers {
    private Tokenizers() {
    }

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
}
