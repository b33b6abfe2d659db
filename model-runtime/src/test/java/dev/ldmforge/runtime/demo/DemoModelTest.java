package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.DemoModel;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped demo model draws what its captions say, judged by {@link DemoJudge}: a regression in any runtime
 * component (tokenizer, text encoder, cross-attention, UNet, scheduler, VAE) shows up here as wrong pictures.
 */
class DemoModelTest {
    private static StableDiffusion demo;

    @BeforeAll
    static void load() {
        demo = StableDiffusion.load(DemoModel.ID, LoadOptions.cpu());
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    @Test
    void isExtractedOnceAndVerifiedAsADiffusersFolder() {
        assertTrue(Files.isRegularFile(DemoModel.folder().resolve("MANIFEST.tsv")));
        assertEquals(DemoModel.folder(), DemoModel.folder());
        assertEquals("demo", demo.info().id());
        assertEquals(32, demo.info().defaultWidth());
    }

    @Test
    void drawsTheRequestedColoursAndShapesWithGuidance() {
        // 18 captions spread over all shapes and colours, held-out seeds, DDIM (the model's default), 25 steps.
        List<DemoEvaluation.Result> results = DemoEvaluation.evaluate(demo,
                new DemoEvaluation.Plan(List.of("ddim"), List.of(7.5), 25, 1, 18, 9), ProgressListener.NONE,
                judged -> { });
        Accuracy a = results.get(0).accuracy();
        assertEquals(18, a.images());
        assertTrue(a.colourAccuracy() >= MIN_COLOUR && a.backgroundAccuracy() >= MIN_COLOUR, a.toString());
        assertTrue(a.shapeAccuracy() >= MIN_SHAPE, a.toString());
    }

    /** Below the figures the README reports for the full evaluation, with room for an 18-image sample's noise. */
    private static final double MIN_COLOUR = 0.8;
    private static final double MIN_SHAPE = 0.6;
}
