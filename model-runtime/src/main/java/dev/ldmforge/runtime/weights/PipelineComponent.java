package dev.ldmforge.runtime.weights;

/** The parts of a Stable Diffusion pipeline, named as the diffusers folders and {@code model_index.json} name them. */
public enum PipelineComponent {
    UNET("unet", true),
    VAE("vae", true),
    TEXT_ENCODER("text_encoder", true),
    TOKENIZER("tokenizer", false),
    SCHEDULER("scheduler", false),
    /** SDXL's second text encoder (OpenCLIP bigG with projection) and its tokenizer. */
    TEXT_ENCODER_2("text_encoder_2", true),
    TOKENIZER_2("tokenizer_2", false);

    private final String folder;
    private final boolean hasWeights;

    PipelineComponent(String folder, boolean hasWeights) {
        this.folder = folder;
        this.hasWeights = hasWeights;
    }

    public String folder() {
        return folder;
    }

    public boolean hasWeights() {
        return hasWeights;
    }
}
