package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoEvaluationTest {

    @Test
    void captionSampleIsSpreadOverShapesAndDeterministic() {
        List<ShapeScene> six = DemoEvaluation.captions(6);
        assertEquals(six, DemoEvaluation.captions(6));
        Set<DemoShape> shapes = new HashSet<>();
        six.forEach(s -> shapes.add(s.shape()));
        assertEquals(Set.of(DemoShape.values()), shapes);
        assertEquals(ShapeScenes.allCaptions(), DemoEvaluation.captions(0));
        assertEquals(ShapeScenes.allCaptions(), DemoEvaluation.captions(10_000));
    }

    @Test
    void unknownSchedulerIsRefusedBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class,
                () -> new DemoEvaluation.Plan(List.of("dpm++2m"), List.of(7.5), 25, 1, 0, 8));
    }

    @Test
    void evaluatesEveryCaptionSeedSchedulerAndGuidance() {
        DemoEvaluation.Plan plan = new DemoEvaluation.Plan(List.of("ddim", "euler"), List.of(7.5, 1.0), 1, 2, 2, 8);
        List<DemoEvaluation.JudgedImage> judged = new ArrayList<>();
        AtomicInteger steps = new AtomicInteger();
        List<DemoEvaluation.Result> results;
        try (StableDiffusion tiny = StableDiffusion.load("tiny", LoadOptions.cpu())) {
            results = DemoEvaluation.evaluate(tiny, plan, (step, of, images) -> steps.incrementAndGet(),
                    judged::add);
        }
        assertEquals(4, results.size());
        assertEquals("ddim", results.get(0).scheduler());
        assertEquals(7.5, results.get(0).guidanceScale());
        assertEquals(1.0, results.get(1).guidanceScale());
        for (DemoEvaluation.Result r : results) {
            Accuracy a = r.accuracy();
            assertEquals(4, a.images());
            assertEquals(1, r.steps());
            for (double rate : new double[] {a.colourAccuracy(), a.backgroundAccuracy(), a.shapeAccuracy(),
                    a.allAccuracy()}) {
                assertTrue(rate >= 0 && rate <= 1, r.toString());
            }
        }
        assertEquals(16, judged.size());
        assertTrue(steps.get() >= 4);
        Set<Long> seeds = new HashSet<>();
        judged.forEach(j -> seeds.add(j.seed()));
        assertEquals(Set.of(DemoEvaluation.HELD_OUT_SEED, DemoEvaluation.HELD_OUT_SEED + 1), seeds);
        assertEquals(DemoEvaluation.captions(2).get(0), judged.get(0).expected());
        assertEquals(64, judged.get(0).image().width());
    }
}
