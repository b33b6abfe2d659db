package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.demo.Accuracy;
import dev.ldmforge.runtime.demo.DemoEvaluation;
import dev.ldmforge.runtime.demo.Judgement;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "judge-demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score how faithfully a model draws the demo captions: generate pictures of the captions from "
            + "held-out seeds (1000000 + k), read shape, colour and background back with the demo judge, and report "
            + "the share that match, per scheduler and guidance scale."},
        footer = {"", "Examples:",
            "  ./ldmforge judge-demo --model demo",
            "  ./ldmforge judge-demo --model demo --schedulers ddim --guidance 7.5 --captions 18 --images judged/",
            "  ./ldmforge judge-demo --model demo --per-caption 4 --json demo-accuracy.json",
            "  ./ldmforge judge-demo --model demo --preset turbo,lcm,quality   # few-step presets vs quality"})
public final class JudgeDemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Mixin
    ModelOptions model;

    @Option(names = "--schedulers", split = ",", defaultValue = "pndm,ddim,euler,dpmpp-2m", paramLabel = "NAME",
            description = "schedulers to compare (default: ${DEFAULT-VALUE})")
    List<String> schedulers;

    @Option(names = "--guidance", split = ",", defaultValue = "7.5,1", paramLabel = "SCALE",
            description = "guidance scales to compare; 1 = no classifier-free guidance (default: ${DEFAULT-VALUE})")
    List<Double> guidance;

    @Option(names = "--steps", defaultValue = "25", paramLabel = "N",
            description = "num_inference_steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--per-caption", defaultValue = "1", paramLabel = "N",
            description = "pictures per caption, seeds 1000000 .. 1000000 + N - 1 (default: ${DEFAULT-VALUE})")
    int perCaption;

    @Option(names = "--captions", defaultValue = "0", paramLabel = "N",
            description = "judge N captions spread evenly over all of them (default: all)")
    int captions;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N",
            description = "images per UNet call (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--preset", split = ",", paramLabel = "NAME",
            description = "judge these presets (turbo, lcm, quality: each its own scheduler, spacing, steps and "
                    + "guidance) instead of --schedulers x --guidance at --steps")
    List<String> presets;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Option(names = "--images", paramLabel = "DIR",
            description = "save every judged picture, as DIR/<scheduler>-g<scale>/<caption>-<seed>.png")
    Path images;

    /** The preset each result was judged at, when --preset is given. */
    private final Map<DemoEvaluation.Result, Preset> presetOf = new java.util.IdentityHashMap<>();

    private List<Preset> presetList() {
        List<Preset> list = new ArrayList<>();
        for (String name : presets) {
            list.add(Preset.parse(name.trim()));
        }
        return list;
    }

    @Override
    public Integer call() throws IOException {
        DemoEvaluation.Plan plan;
        try {
            plan = new DemoEvaluation.Plan(schedulers, guidance, steps, perCaption, captions, batchSize);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UsageException(e.getMessage());
        }
        List<DemoEvaluation.Result> results;
        try (StableDiffusion sd = StableDiffusion.load(model.model(), model.loadOptions())) {
            System.out.printf("model %s: %d captions x %d seeds, %d steps%n", sd.info().id(),
                    DemoEvaluation.captions(captions).size(), perCaption, steps);
            results = new ArrayList<>();
            if (presets == null) {
                results.addAll(DemoEvaluation.evaluate(sd, plan, new ProgressBar(System.err),
                        images == null ? judged -> { } : this::save));
            } else {
                for (Preset p : presetList()) {
                    DemoEvaluation.Result r = DemoEvaluation.evaluate(sd, plan, p.scheduler(), p.timestepSpacing(),
                            p.guidanceScale(), p.steps(), new ProgressBar(System.err),
                            images == null ? judged -> { } : judged -> save(judged, p.steps()));
                    results.add(r);
                    presetOf.put(r, p);
                }
            }
        }
        System.out.printf("%n%-24s %5s %8s %8s %11s %8s %8s%n", "scheduler", "steps", "guidance", "colour",
                "background", "shape", "all");
        for (DemoEvaluation.Result r : results) {
            Accuracy a = r.accuracy();
            String label = presetOf.containsKey(r) ? presetOf.get(r).id() + " (" + r.scheduler() + ")" : r.scheduler();
            System.out.printf("%-24s %5d %8s %7.1f%% %10.1f%% %7.1f%% %7.1f%%%n", label, r.steps(), r.guidanceScale(),
                    100 * a.colourAccuracy(), 100 * a.backgroundAccuracy(), 100 * a.shapeAccuracy(),
                    100 * a.allAccuracy());
        }
        if (json != null) {
            write(json, JSON.writeValueAsBytes(report(results)));
            System.out.println("wrote " + json);
        }
        return 0;
    }

    private Map<String, Object> report(List<DemoEvaluation.Result> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DemoEvaluation.Result r : results) {
            Accuracy a = r.accuracy();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("preset", presetOf.containsKey(r) ? presetOf.get(r).id() : null);
            row.put("scheduler", r.scheduler());
            row.put("timestep_spacing", presetOf.containsKey(r) ? presetOf.get(r).timestepSpacing() : null);
            row.put("guidance_scale", r.guidanceScale());
            row.put("num_inference_steps", r.steps());
            row.put("images", a.images());
            row.put("colour_accuracy", a.colourAccuracy());
            row.put("background_accuracy", a.backgroundAccuracy());
            row.put("shape_accuracy", a.shapeAccuracy());
            row.put("all_accuracy", a.allAccuracy());
            rows.add(row);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.model());
        report.put("results", rows);
        return report;
    }

    private void save(DemoEvaluation.JudgedImage judged) {
        save(judged, steps);
    }

    private void save(DemoEvaluation.JudgedImage judged, int numInferenceSteps) {
        if (judged.image() == null) {
            return;
        }
        Judgement j = judged.judgement();
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", judged.expected().caption());
        text.put("seed", Long.toString(judged.seed()));
        text.put("scheduler", judged.scheduler());
        text.put("guidance_scale", Double.toString(judged.guidanceScale()));
        text.put("num_inference_steps", Integer.toString(numInferenceSteps));
        text.put("judged_shape", j.shape() == null ? "none" : j.shape().word());
        text.put("judged_colour", j.colour() == null ? "none" : j.colour().word());
        text.put("judged_background", j.background() == null ? "none" : j.background().word());
        text.put("software", "ldmforge");
        Path file = images.resolve(judged.scheduler() + "-g" + judged.guidanceScale())
                .resolve(judged.expected().caption().replace(' ', '-') + "-" + judged.seed() + ".png");
        write(file, Png.encode(judged.image(), text));
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
