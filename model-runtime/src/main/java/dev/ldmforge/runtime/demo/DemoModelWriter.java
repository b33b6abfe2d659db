package dev.ldmforge.runtime.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.weights.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Writes the trained demo model as a normal diffusers folder, which every loader of this project (and diffusers) reads. */
final class DemoModelWriter {
    static final String MANIFEST = "MANIFEST.tsv";
    private static final String MODEL_INDEX = """
            {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.25.1",
             "requires_safety_checker": false,
             "scheduler": ["diffusers", "DDIMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}
            """;

    private DemoModelWriter() {
    }

    static void write(Path dir, DemoModelConfigs configs, DemoVocabulary vocabulary, Parameters textEncoder,
                      Parameters unet, Parameters vae, DataType dtype, long seed) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("model_index.json"), MODEL_INDEX);
            vocabulary.writeTo(dir.resolve("tokenizer"));
            writeConfig(dir.resolve("scheduler"), "scheduler_config.json", configs.scheduler());
            writeConfig(dir.resolve("text_encoder"), "config.json", configs.textEncoder());
            writeConfig(dir.resolve("unet"), "config.json", configs.unet());
            writeConfig(dir.resolve("vae"), "config.json", configs.vae());
            weights(textEncoder, dtype, seed).write(dir.resolve("text_encoder").resolve("model.safetensors"));
            weights(unet, dtype, seed).write(dir.resolve("unet").resolve("diffusion_pytorch_model.safetensors"));
            weights(vae, dtype, seed).write(dir.resolve("vae").resolve("diffusion_pytorch_model.safetensors"));
            writeManifest(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model to " + dir, e);
        }
    }

    /**
     * {@code MANIFEST.tsv}: path, size and sha256 of every model file, which the built-in {@code demo} model's
     * extraction checks (the folder can be shipped as it is).
     */
    private static void writeManifest(Path dir) throws IOException {
        StringBuilder manifest = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String path = dir.relativize(file).toString().replace('\\', '/');
                manifest.append(path).append('\t').append(Files.size(file)).append('\t')
                        .append(HexFormat.of().formatHex(sha256(file))).append('\n');
            }
        }
        Files.writeString(dir.resolve(MANIFEST), manifest);
    }

    private static byte[] sha256(Path file) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeConfig(Path dir, String name, String json) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), json);
    }

    private static SafetensorsWriter weights(Parameters parameters, DataType dtype, long seed) {
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt")
                .metadata("ldmforge", "train-demo --seed " + seed);
        for (Parameter p : parameters.all()) {
            NDArray value = p.array().toType(dtype, true);
            writer.add(p.key(), value);
        }
        return writer;
    }
}
