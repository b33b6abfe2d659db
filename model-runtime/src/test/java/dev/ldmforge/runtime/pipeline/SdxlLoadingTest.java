package dev.ldmforge.runtime.pipeline;

import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an SDXL folder must be: the refiner (no first text encoder, aesthetic-score conditioning) is refused with
 * that reason, and SDXL components under an SD pipeline class (or the other way round) are refused before any
 * weight is read.
 */
class SdxlLoadingTest {
    @TempDir
    Path dir;

    /** tiny-sdxl's component folders, linked, under a model_index.json edited by {@code edit}. */
    private Path folder(java.util.function.UnaryOperator<String> edit) throws IOException {
        Path tiny = Fixtures.path("tiny-sdxl");
        for (String c : List.of("unet", "vae", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2",
                "scheduler")) {
            Files.createSymbolicLink(dir.resolve(c), tiny.resolve(c));
        }
        Files.writeString(dir.resolve("model_index.json"),
                edit.apply(Files.readString(tiny.resolve("model_index.json"))));
        return dir;
    }

    @Test
    void theRefinerIsRefusedByName() throws IOException {
        Path refiner = folder(index -> index.replace("\"StableDiffusionXLPipeline\"",
                "\"StableDiffusionXLImg2ImgPipeline\", \"requires_aesthetics_score\": true"));
        WeightsException e = assertThrows(WeightsException.class,
                () -> StableDiffusion.load(refiner.toString(), LoadOptions.cpu()));
        assertTrue(e.getMessage().contains("SDXL refiner, which is not supported"), e.getMessage());
    }

    @Test
    void sdxlComponentsUnderAnSdPipelineAreRefused() throws IOException {
        Path sd = folder(index -> index.replace("StableDiffusionXLPipeline", "StableDiffusionPipeline"));
        WeightsException e = assertThrows(WeightsException.class,
                () -> StableDiffusion.load(sd.toString(), LoadOptions.cpu()));
        assertTrue(e.getMessage().contains("hidden_size 32 != unet cross_attention_dim 64"), e.getMessage());
    }
}
