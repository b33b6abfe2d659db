package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "txt2img", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images from a prompt (diffusers' StableDiffusionPipeline, or "
                + "StableDiffusionXLPipeline for SDXL models).",
        footer = {"", "Examples:",
            "  ./ldmforge txt2img --prompt \"a red circle on a blue background\" --seed 3 --output out.png",
            "  ./ldmforge txt2img --model /models/sd-v1-5 --prompt \"a lighthouse at dusk\" --steps 30 \\",
            "      --scheduler dpmpp-2m --seed 42 --num-images 4 --batch-size 2 --output lighthouse.png",
            "  ./ldmforge txt2img --model stabilityai/stable-diffusion-2-1-base --prompt \"a lighthouse\" \\",
            "      --output l.png   # from the Hugging Face cache, downloaded once (HF_HUB_OFFLINE=1: cache only)",
            "  ./ldmforge txt2img --model /models/sd-v1-5 --prompt \"a cat\" --latents noise.npy \\",
            "      --output-npy cat.npy   # compare with diffusers' output_type=\"np\"",
            "  ./ldmforge txt2img --model /models/stable-diffusion-xl-base-1.0 --prompt \"a lighthouse\" \\",
            "      --prompt-2 \"oil painting\" --steps 30 --guidance 5 --original-size 2048,2048 --output l.png"})
public final class Txt2ImgCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    GenerationOptions generation;

    @Override
    public Integer call() {
        return new ImageGeneration(model, generation, System.out).run(null, null);
    }
}
