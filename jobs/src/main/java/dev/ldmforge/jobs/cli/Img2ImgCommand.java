package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "img2img", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Redraw an image guided by a prompt (diffusers' StableDiffusionImg2ImgPipeline, or "
                + "StableDiffusionXLImg2ImgPipeline for SDXL models).",
        footer = {"", "Examples:",
            "  ./ldmforge img2img --init-image circle.png --prompt \"a blue circle on a yellow background\" \\",
            "      --strength 0.6 --output redrawn.png"})
public final class Img2ImgCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    GenerationOptions generation;

    @Option(names = "--init-image", required = true, paramLabel = "FILE",
            description = "the picture to start from (PNG/JPEG), the size of the output")
    Path initImage;

    @Option(names = "--strength", defaultValue = "0.8",
            description = "how much to change it, in (0, 1] (default: ${DEFAULT-VALUE})")
    double strength;

    @Override
    public Integer call() {
        return new ImageGeneration(model, generation, System.out).run(initImage, strength);
    }
}
