package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** txt2img / img2img parameters, named as diffusers names them. Absent values take the validator's defaults. */
public final class GenerationOptions {
    @Option(names = "--prompt", required = true, description = "what to draw")
    String prompt;

    @Option(names = "--negative-prompt", description = "what to steer away from (used when guidance > 1)")
    String negativePrompt;

    @Option(names = "--steps", paramLabel = "N", description = "num_inference_steps (default 50)")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", description = "guidance_scale (default 7.5; <= 1 disables CFG)")
    Double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim, pndm, ddpm, euler, euler-ancestral, lms, dpmpp-2m, dpmpp-2m-karras "
                    + "(default: the model's own)")
    String scheduler;

    @Option(names = "--width", description = "multiple of 8 (default: the model's size)")
    Integer width;

    @Option(names = "--height", description = "multiple of 8 (default: the model's size)")
    Integer height;

    @Option(names = "--seed", description = "generator seed; image i uses seed + i (default: derived from the request)")
    Long seed;

    @Option(names = "--num-images", paramLabel = "N", description = "num_images_per_prompt (default 1)")
    Integer numImages;

    @Option(names = "--batch-size", defaultValue = "1", paramLabel = "N",
            description = "images per UNet call (default: ${DEFAULT-VALUE})")
    int batchSize;

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
