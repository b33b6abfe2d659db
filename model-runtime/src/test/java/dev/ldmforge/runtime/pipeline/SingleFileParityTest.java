package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.CheckpointOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The original single-file checkpoint generates the same image as the diffusers folder (and as diffusers). */
class SingleFileParityTest {

    @Test
    void singleFileCheckpointMatchesTheDiffusersFolder() {
        LoadOptions options = LoadOptions.cpu()
                .withCheckpoint(CheckpointOptions.defaults()
                        .withInferenceYaml(Fixtures.path("tiny-sd-original-inference.yaml"))
                        // The YAML does not describe the text encoder and 32 channels give no head count.
                        .withTextEncoderConfig(JsonConfig.read(Fixtures.path("tiny-sd/text_encoder/config.json"))))
                .withTokenizer(Fixtures.path("tokenizer"));
        GenerationRequest request = PipelineParityTest.request("ddim", 104, null);
        try (StableDiffusion folder = StableDiffusion.load(Fixtures.path("tiny-sd").toString(), LoadOptions.cpu());
             StableDiffusion single = StableDiffusion.load(Fixtures.path("tiny-sd-original.safetensors").toString(),
                     options)) {
            assertEquals(folder.info().weightsSha256(), single.info().weightsSha256(),
                    "same weights, same hash, whatever the file layout");
            assertEquals("SD1", single.info().family());
            ImageOutput a = new StableDiffusionPipeline(folder, 1).generate(List.of(request), ProgressListener.NONE)
                    .get(0);
            ImageOutput b = new StableDiffusionPipeline(single, 1).generate(List.of(request), ProgressListener.NONE)
                    .get(0);
            double diff = PipelineParityTest.maxAbsDiff(a.pixels(), b.pixels());
            assertTrue(diff <= PipelineParityTest.IMAGE_ATOL, "single file vs folder image max |diff| " + diff);
        }
    }
}
