package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.GenerationRequest;
import dev.ldmforge.runtime.pipeline.ImageOutput;
import dev.ldmforge.runtime.pipeline.ModelInfo;
import dev.ldmforge.runtime.pipeline.ProgressListener;
import dev.ldmforge.runtime.pipeline.RgbImage;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import dev.ldmforge.runtime.pipeline.StableDiffusionPipeline;
import dev.ldmforge.runtime.schedulers.SchedulerName;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How faithfully a model draws the demo captions: for each (scheduler, guidance scale) it generates images of the
 * captions from held-out seeds, reads them with {@link DemoJudge} and counts what matches the caption.
 */
public final class DemoEvaluation {
    /** Image {@code k} of every caption is drawn with seed {@code HELD_OUT_SEED + k}: far from training seeds. */
    public static final long HELD_OUT_SEED = 1_000_000L;

    /**
     * @param captions   how many captions to judge, spread evenly over {@link ShapeScenes#allCaptions()}; 0 = all
     * @param perCaption images per caption (seeds {@code HELD_OUT_SEED + k})
     * @param batchSize  images per UNet batch
     */
    public record Plan(List<String> schedulers, List<Double> guidanceScales, int steps, int perCaption, int captions,
                       int batchSize) {
        public Plan {
            schedulers = List.copyOf(schedulers);
            guidanceScales = List.copyOf(guidanceScales);
            if (schedulers.isEmpty() || guidanceScales.isEmpty()) {
                throw new IllegalArgumentException("at least one scheduler and one guidance scale are needed");
            }
            schedulers.forEach(SchedulerName::parse);
            if (steps < 1 || perCaption < 1 || captions < 0 || batchSize < 1) {
                throw new IllegalArgumentException("steps " + steps + ", images per caption " + perCaption
                        + ", captions " + captions + ", batch size " + batchSize + ": out of range");
            }
        }
    }

    /** The counts for one (scheduler, guidance scale). */
    public record Result(String scheduler, double guidanceScale, int steps, Accuracy accuracy) {
    }

    /** One generated and judged image (image null if generation failed), e.g. to save for eyeballing. */
    public record JudgedImage(String scheduler, double guidanceScale, ShapeScene expected, long seed, RgbImage image,
                              Judgement judgement) {
    }

    private DemoEvaluation() {
    }

    /** {@code n} captions spread evenly over {@link ShapeScenes#allCaptions()} (all of them when n is 0 or not smaller). */
    public static List<ShapeScene> captions(int n) {
        List<ShapeScene> all = ShapeScenes.allCaptions();
        if (n == 0 || n >= all.size()) {
            return all;
        }
        List<ShapeScene> sample = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sample.add(all.get((int) ((long) i * all.size() / n)));
        }
        return sample;
    }

    /**
     * @param steps  called after every denoising step of every batch
     * @param judged called with every image once judged
     */
    public static List<Result> evaluate(StableDiffusion model, Plan plan, ProgressListener steps,
                                        Consumer<JudgedImage> judged) {
        StableDiffusionPipeline pipeline = new StableDiffusionPipeline(model, plan.batchSize());
        List<Result> results = new ArrayList<>();
        for (String scheduler : plan.schedulers()) {
            for (double guidance : plan.guidanceScales()) {
                results.add(evaluate(model, pipeline, plan, scheduler, null, guidance, plan.steps(), steps, judged));
            }
        }
        return results;
    }

    /**
     * One setting, e.g. a preset: {@code scheduler} with {@code timestepSpacing} (null = its config), guidance and
     * steps; the plan gives the captions, images per caption and batch size (its schedulers and scales are unused).
     */
    public static Result evaluate(StableDiffusion model, Plan plan, String scheduler, String timestepSpacing,
                                  double guidance, int numInferenceSteps, ProgressListener steps,
                                  Consumer<JudgedImage> judged) {
        SchedulerName.parse(scheduler);
        return evaluate(model, new StableDiffusionPipeline(model, plan.batchSize()), plan, scheduler,
                timestepSpacing, guidance, numInferenceSteps, steps, judged);
    }

    private static Result evaluate(StableDiffusion model, StableDiffusionPipeline pipeline, Plan plan,
                                   String scheduler, String timestepSpacing, double guidance, int numInferenceSteps,
                                   ProgressListener steps, Consumer<JudgedImage> judged) {
        ModelInfo info = model.info();
        List<ShapeScene> captions = captions(plan.captions());
        List<GenerationRequest> requests = new ArrayList<>();
        for (ShapeScene scene : captions) {
            requests.add(new GenerationRequest(scene.caption(), "", numInferenceSteps, guidance, info.defaultWidth(),
                    info.defaultHeight(), HELD_OUT_SEED, plan.perCaption(), scheduler, null, null, null, null, null,
                    timestepSpacing, null));
        }
        Accuracy accuracy = Accuracy.NONE;
        for (ImageOutput out : pipeline.generate(requests, steps)) {
            ShapeScene expected = captions.get(out.requestIndex());
            Judgement judgement = out.ok() ? DemoJudge.judge(out.image()) : new Judgement(null, null, null);
            accuracy = accuracy.plus(judgement, expected);
            judged.accept(new JudgedImage(scheduler, guidance, expected, out.seed(), out.image(), judgement));
        }
        return new Result(scheduler, guidance, numInferenceSteps, accuracy);
    }
}
