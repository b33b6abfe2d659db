package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ldmforge.jobs.images.ImageText;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.storage.Sha256;
import dev.ldmforge.runtime.io.Npy;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.ImageOutput;
import dev.ldmforge.runtime.pipeline.Latents;
import dev.ldmforge.runtime.pipeline.MicroConditioning;
import dev.ldmforge.runtime.pipeline.ModelInfo;
import dev.ldmforge.runtime.pipeline.RgbImage;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;
import dev.ldmforge.runtime.schedulers.SchedulerFactory;
import dev.ldmforge.runtime.schedulers.SchedulerOptionsException;
import dev.ldmforge.schemas.GenerationDefaults;
import dev.ldmforge.schemas.PromptRequest;
import dev.ldmforge.schemas.PromptValidator;
import dev.ldmforge.schemas.Validation;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What txt2img and img2img share: validate, load, generate with a progress bar, write PNG / npy / JSON. */
final class ImageGeneration {
    private final ModelOptions modelOptions;
    private final GenerationOptions options;
    private final PrintStream out;

    ImageGeneration(ModelOptions modelOptions, GenerationOptions options, PrintStream out) {
        this.modelOptions = modelOptions;
        this.options = options;
        this.out = out;
    }

    /** @param initImage img2img init image file, or null; {@code strength} only with it */
    int run(Path initImage, Double strength) {
        Map<String, Object> fields = fields(initImage, strength);
        GenerationDefaults defaults = options.parameters.presetDefaults(GenerationDefaults.DIFFUSERS);
        PromptRequest checked = validate(fields, defaults);
        if (options.batchSize < 1) {
            throw new CliErrors.UsageException("--batch-size must be at least 1, got " + options.batchSize);
        }
        RgbImage init = initImage == null ? null : readImage(initImage);
        Latents latents = options.latents == null ? null : readLatents(options.latents);
        try (StableDiffusion model = StableDiffusion.load(modelOptions.model(), modelOptions.loadOptions())) {
            ModelInfo info = model.info();
            PromptRequest request = validate(fields, defaults.withSize(info.defaultWidth(), info.defaultHeight()));
            if (init != null && (init.width() != request.width() || init.height() != request.height())) {
                throw new CliErrors.UsageException("--init-image is " + init.width() + "x" + init.height()
                        + " but the output is " + request.width() + "x" + request.height()
                        + "; pass --width/--height to match");
            }
            out.printf("model %s (%s, %s, %s), seed %d, %dx%d, %d steps%n", info.id()
                            + (info.revision() != null ? "@" + info.revision() : ""), info.family(), info.device(),
                    info.dtype(), request.seed(), request.width(), request.height(), request.numInferenceSteps());
            GenerationRequest g = new GenerationRequest(request.prompt(), request.negativePrompt(),
                    request.numInferenceSteps(), request.guidanceScale(), request.width(), request.height(),
                    request.seed(), request.numImagesPerPrompt(), request.scheduler(), request.strength(), init,
                    latents, request.prompt2(), request.negativePrompt2(), request.timestepSpacing(),
                    request.useKarrasSigmas(), microConditioning(request, info));
            StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, options.batchSize);
            try {
                pipeline.checkLatents(g);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UsageException("--latents: " + e.getMessage());
            }
            SchedulerFactory scheduler;
            try {
                scheduler = pipeline.schedulerFor(g);
            } catch (SchedulerOptionsException e) {
                throw new CliErrors.UsageException(e.getMessage() + " [INVALID_SCHEDULER_OPTIONS]");
            }
            List<ImageOutput> images = pipeline.generate(List.of(g), new ProgressBar(System.err));
            write(images, request, info, g.microConditioning(), scheduler);
            return images.stream().allMatch(ImageOutput::ok) ? 0 : CliErrors.FAILURE;
        }
    }

    /**
     * SDXL's original_size / crops_coords_top_left / target_size from the flags, the missing ones at diffusers'
     * defaults for the output size; null when none is given. Other models have no micro-conditioning.
     */
    private MicroConditioning microConditioning(PromptRequest request, ModelInfo info) {
        if (options.originalSize == null && options.cropsCoordsTopLeft == null && options.targetSize == null) {
            return null;
        }
        if (!info.family().equals("SDXL")) {
            throw new CliErrors.UsageException("--original-size, --crops-coords-top-left and --target-size are "
                    + "SDXL micro-conditioning; " + info.id() + " is " + info.family());
        }
        MicroConditioning d = MicroConditioning.defaults(request.width(), request.height());
        int[] original = pair("--original-size", options.originalSize, d.originalHeight(), d.originalWidth());
        int[] crop = pair("--crops-coords-top-left", options.cropsCoordsTopLeft, d.cropTop(), d.cropLeft());
        int[] target = pair("--target-size", options.targetSize, d.targetHeight(), d.targetWidth());
        try {
            return new MicroConditioning(original[0], original[1], crop[0], crop[1], target[0], target[1]);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        }
    }

    private static int[] pair(String flag, int[] given, int first, int second) {
        if (given == null) {
            return new int[] {first, second};
        }
        if (given.length != 2) {
            throw new CliErrors.UsageException(flag + " takes two numbers separated by a comma, got "
                    + given.length);
        }
        return given;
    }

    private Map<String, Object> fields(Path initImage, Double strength) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("prompt", options.prompt);
        f.put("prompt_2", options.prompt2);
        f.put("negative_prompt_2", options.negativePrompt2);
        options.parameters.putFields(f);
        f.put("seed", options.seed);
        f.put("strength", strength);
        f.put("init_image_uri", initImage == null ? null : initImage.toString());
        return f;
    }

    private static PromptRequest validate(Map<String, Object> fields, GenerationDefaults defaults) {
        Validation v = new PromptValidator(defaults).validate(fields);
        if (v instanceof Validation.Rejected r) {
            throw new CliErrors.UsageException(r.message() + " [" + r.code() + "]");
        }
        return ((Validation.Accepted) v).request();
    }

    private static RgbImage readImage(Path file) {
        try {
            return Png.decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new CliErrors.UsageException("--init-image " + file + ": cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException("--init-image " + e.getMessage());
        }
    }

    private static Latents readLatents(Path file) {
        try (NDManager m = NDManager.newBaseManager(); NDArray a = Npy.read(file, m)) {
            return new Latents(a.getShape().getShape(), a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray());
        } catch (RuntimeException e) {
            throw new CliErrors.UsageException("--latents " + e.getMessage());
        }
    }

    private void write(List<ImageOutput> images, PromptRequest request, ModelInfo info, MicroConditioning micro,
                       SchedulerFactory scheduler) {
        boolean png = options.output != null || options.outputNpy == null;
        Path pngBase = options.output != null ? options.output : Path.of("out.png");
        List<Map<String, Object>> metadata = new ArrayList<>();
        for (ImageOutput image : images) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("request_id", request.requestId());
            row.put("image_index", image.imageIndex());
            row.put("seed", image.seed());
            if (!image.ok()) {
                out.printf("image %d failed: %s %s%n", image.imageIndex(), image.failure().code(),
                        image.failure().message());
                row.put("status", "FAILED");
                row.put("error_code", image.failure().code());
                metadata.add(row);
                continue;
            }
            Map<String, String> text = ImageText.of(request, image.imageIndex(), image.seed(),
                    scheduler(request, info), info);
            if (png) {
                byte[] bytes = Png.encode(image.image(), text);
                Path file = images.size() == 1 ? pngBase : numbered(pngBase, image.imageIndex());
                writeFile(file, bytes);
                row.put("image_uri", file.toAbsolutePath().toString());
                row.put("sha256", Sha256.hex(bytes));
                out.println("wrote " + file);
            }
            row.putAll(text);
            // the scheduler options the run used, the config's where the request gave none
            row.put("timestep_spacing", scheduler.resolvedTimestepSpacing());
            row.put("use_karras_sigmas", scheduler.resolvedUseKarrasSigmas());
            if (micro != null) {
                row.put("original_size", List.of(micro.originalHeight(), micro.originalWidth()));
                row.put("crops_coords_top_left", List.of(micro.cropTop(), micro.cropLeft()));
                row.put("target_size", List.of(micro.targetHeight(), micro.targetWidth()));
            }
            row.put("text_encode_ms", image.timings().textEncodeMs());
            row.put("denoise_ms", image.timings().denoiseMs());
            row.put("decode_ms", image.timings().decodeMs());
            metadata.add(row);
        }
        if (options.outputNpy != null) {
            writeNpy(images, request);
        }
        if (options.metadataJson != null) {
            try {
                writeFile(options.metadataJson, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsBytes(metadata));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String scheduler(PromptRequest request, ModelInfo info) {
        return request.scheduler() != null ? request.scheduler() : info.schedulerClass();
    }

    private void writeNpy(List<ImageOutput> images, PromptRequest request) {
        int h = request.height();
        int w = request.width();
        float[] all = new float[images.size() * h * w * 3];
        for (int i = 0; i < images.size(); i++) {
            float[] px = images.get(i).ok() ? images.get(i).pixels() : new float[h * w * 3];
            System.arraycopy(px, 0, all, i * h * w * 3, px.length);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(options.outputNpy, m.create(all, new Shape(images.size(), h, w, 3)));
        }
        out.println("wrote " + options.outputNpy);
    }

    static Path numbered(Path file, int index) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot < 0 ? name + "-" + index : name.substring(0, dot) + "-" + index + name.substring(dot);
        return file.resolveSibling(numbered);
    }

    private static void writeFile(Path file, byte[] bytes) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
