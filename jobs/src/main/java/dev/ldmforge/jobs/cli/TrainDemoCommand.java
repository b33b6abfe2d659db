package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.demo.DemoTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train-demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the demo model from nothing on generated pictures of coloured shapes, as the LDM paper "
                + "does: a KL autoencoder first, then a text-conditioned UNet (with a small CLIP text encoder, "
                + "10%% caption dropout for classifier-free guidance, AdamW, EMA) on its latents.",
            "Writes a diffusers folder (configs, safetensors, tokenizer) plus loss-curve.png and training-log.json. "
                + "The same --seed reproduces the model. Defaults take about 50 minutes on 2 CPU cores."},
        footer = {"", "Examples:",
            "  ./ldmforge train-demo --output my-demo --seed 0",
            "  ./ldmforge train-demo --output quick-demo --autoencoder-steps 200 --unet-steps 500",
            "  ./ldmforge txt2img --model my-demo --prompt \"a red circle on a blue background\" --output circle.png",
            "  ./ldmforge judge-demo --model my-demo --captions 30"})
public final class TrainDemoCommand implements Callable<Integer> {

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "folder for the model (must not exist or be empty)")
    Path output;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "seed of everything random: scenes, initial weights, noise (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--autoencoder-steps", defaultValue = "" + DemoTrainer.Settings.AUTOENCODER_STEPS,
            paramLabel = "N", description = "optimiser steps of stage one (default: ${DEFAULT-VALUE})")
    int autoencoderSteps;

    @Option(names = "--unet-steps", defaultValue = "" + DemoTrainer.Settings.UNET_STEPS, paramLabel = "N",
            description = "optimiser steps of stage two (default: ${DEFAULT-VALUE})")
    int unetSteps;

    @Option(names = "--batch-size", defaultValue = "" + DemoTrainer.Settings.BATCH_SIZE, paramLabel = "N",
            description = "pictures per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--weights-dtype", defaultValue = "float16", paramLabel = "DTYPE",
            description = "how the weights are stored: float16 or float32 (training is float32) "
                    + "(default: ${DEFAULT-VALUE})")
    String weightsDtype;

    @Override
    public Integer call() throws Exception {
        DataType dtype = switch (weightsDtype) {
            case "float16" -> DataType.FLOAT16;
            case "float32" -> DataType.FLOAT32;
            default -> throw new CliErrors.UsageException("--weights-dtype must be float16 or float32, got "
                    + weightsDtype);
        };
        DemoTrainer.Settings settings;
        try {
            settings = new DemoTrainer.Settings(seed, autoencoderSteps, unetSteps, batchSize, dtype);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        }
        if (Files.isDirectory(output)) {
            try (var entries = Files.list(output)) {
                if (entries.findAny().isPresent()) {
                    throw new CliErrors.UsageException("--output " + output + " exists and is not empty");
                }
            }
        }
        System.out.printf("training the demo model: seed %d, %d autoencoder + %d unet steps of %d pictures%n", seed,
                autoencoderSteps, unetSteps, batchSize);
        DemoTrainer.Result result = DemoTrainer.train(settings, output, new StepProgress(System.out));
        System.out.printf(Locale.ROOT, "wrote %s in %.0f s (scaling_factor %.5f); loss curve: %s%n", output,
                result.seconds(), result.scalingFactor(), output.resolve("loss-curve.png"));
        return 0;
    }

    /**
     * A progress bar with the running loss and time left on a terminal; one line per 5% of a stage otherwise, so
     * logs of scheduled runs show progress too.
     */
    static final class StepProgress implements DemoTrainer.Progress {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private final boolean terminal = System.console() != null;
        private String stage = "";
        private long stageStart;
        private double smoothed;

        StepProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void update(String name, int step, int steps, double loss) {
            if (!name.equals(stage)) {
                stage = name;
                stageStart = System.nanoTime();
                smoothed = loss;
            }
            smoothed = 0.98 * smoothed + 0.02 * loss;
            double elapsed = (System.nanoTime() - stageStart) / 1e9;
            double left = elapsed / step * (steps - step);
            int filled = step * WIDTH / steps;
            String line = String.format(Locale.ROOT, "%-11s [%s%s] %d/%d loss %.4f, %.0fs, %.0fs left", stage,
                    "#".repeat(filled), ".".repeat(WIDTH - filled), step, steps, smoothed, elapsed, left);
            if (terminal) {
                out.print("\r" + line + (step == steps ? "\n" : ""));
                out.flush();
            } else if (step == steps || step % Math.max(1, steps / 20) == 0) {
                out.println(line);
            }
        }
    }
}
