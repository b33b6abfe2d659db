package dev.ldmforge.runtime.demo;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.ImageOutput;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A few steps of both training stages, end to end: the written folder is a model the pipeline loads and runs. */
class DemoTrainerTest {

    @Test
    void trainsBothStagesAndWritesALoadableDiffusersFolder(@TempDir Path dir) throws Exception {
        List<String> stages = new ArrayList<>();
        DemoTrainer.Result result = DemoTrainer.train(new DemoTrainer.Settings(7, 3, 3, 4, DataType.FLOAT16), dir,
                (stage, step, steps, loss) -> stages.add(stage + " " + step + "/" + steps));
        assertEquals(List.of("autoencoder 1/3", "autoencoder 2/3", "autoencoder 3/3", "unet 1/3", "unet 2/3",
                "unet 3/3"), stages);
        assertTrue(result.scalingFactor() > 0 && Double.isFinite(result.scalingFactor()));
        for (String file : List.of("model_index.json", "tokenizer/vocab.json", "tokenizer/merges.txt",
                "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors", "scheduler/scheduler_config.json", "loss-curve.png")) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
        }
        JsonNode log = new ObjectMapper().readTree(dir.resolve("training-log.json").toFile());
        assertEquals(3, log.get("unet_losses").size());
        assertEquals("float16", log.get("stored_dtype").asText());

        try (StableDiffusion model = StableDiffusion.load(dir.toString(), LoadOptions.cpu())) {
            assertEquals(32, model.info().defaultWidth());
            List<ImageOutput> images = new StableDiffusionPipeline(model, 2).generate(List.of(
                    GenerationRequest.txt2img("a red circle on a blue background", 32, 32, 1, 3)),
                    ProgressListener.NONE);
            assertEquals(32, images.get(0).image().width());
        }
    }
}
