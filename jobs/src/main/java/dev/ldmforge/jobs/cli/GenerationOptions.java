package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** txt2img / img2img parameters, named as diffusers names them. Absent values take the validator's defaults. */
public final class GenerationOptions {
    @Option(names = "--prompt", required = true, description = "what to draw")
    String prompt;

    @Option(names = "--prompt-2", paramLabel = "TEXT",
            description = "SDXL: the prompt for the second text encoder (default: --prompt)")
    String prompt2;

    @Option(names = "--negative-prompt-2", paramLabel = "TEXT",
            description = "SDXL: the negative prompt for the second text encoder (default: --negative-prompt)")
    String negativePrompt2;

    @Mixin
    ParameterOptions parameters;

    @Option(names = "--seed", description = "generator seed; image i uses seed + i (default: derived from the request)")
    Long seed;

    @Option(names = "--batch-size", defaultValue = "1", paramLabel = "N",
            description = "images per UNet call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--retry-float32",
            description = "with --dtype float16: regenerate NaN or black images once in float32")
    boolean retryFloat32;

    @Option(names = "--latents", paramLabel = "FILE.npy",
            description = "explicit initial latents, float32 NCHW (diffusers' latents=)")
    Path latents;

    @Option(names = "--output", paramLabel = "FILE.png", description = "PNG to write; numbered (out-0.png, ...) "
            + "when several images (default: out.png unless only --output-npy is given)")
    Path output;

    @Option(names = "--output-npy", paramLabel = "FILE.npy",
            description = "also write float32 NHWC images in [0,1] (diffusers' output_type=\"np\")")
    Path outputNpy;

    @Option(names = "--metadata-json", paramLabel = "FILE.json",
            description = "write every image's parameters, seed, hashes and timings as JSON")
    Path metadataJson;
}
