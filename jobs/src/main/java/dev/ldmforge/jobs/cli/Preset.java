package dev.ldmforge.jobs.cli;

import dev.ldmforge.schemas.GenerationDefaults;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Named generation settings ({@code --preset}): a scheduler with its steps, guidance and spacing, as the model cards
 * and diffusers' docs give them. They replace the defaults; explicit flags and a row's own fields still win.
 */
public enum Preset {
    /** SD-Turbo / SDXL-Turbo: Euler ancestral, trailing spacing, one step, no guidance (the model cards' call). */
    TURBO("turbo", "euler-ancestral", 1, 0.0, "trailing"),
    /** LCM-distilled models and LCM-LoRA: 4 steps, guidance 1 (no CFG; diffusers' LCM docs). */
    LCM("lcm", "lcm", 4, 1.0, null),
    /** The usual full-quality schedule: DPM++ 2M with Karras sigmas, 25 steps, guidance 7.5. */
    QUALITY("quality", "dpmpp-2m-karras", 25, 7.5, null);

    private final String id;
    private final String scheduler;
    private final int steps;
    private final double guidanceScale;
    private final String timestepSpacing;

    Preset(String id, String scheduler, int steps, double guidanceScale, String timestepSpacing) {
        this.id = id;
        this.scheduler = scheduler;
        this.steps = steps;
        this.guidanceScale = guidanceScale;
        this.timestepSpacing = timestepSpacing;
    }

    public String id() {
        return id;
    }

    public String scheduler() {
        return scheduler;
    }

    public int steps() {
        return steps;
    }

    public double guidanceScale() {
        return guidanceScale;
    }

    public String timestepSpacing() {
        return timestepSpacing;
    }

    /** {@code base} with this preset's scheduler, steps, guidance and spacing. */
    public GenerationDefaults applyTo(GenerationDefaults base) {
        return base.withScheduler(scheduler).withSteps(steps).withGuidanceScale(guidanceScale)
                .withTimestepSpacing(timestepSpacing);
    }

    /** What the preset sets, in request field names (recorded in {@code _SUMMARY.json}). */
    public String description() {
        return id + ": scheduler=" + scheduler + ", num_inference_steps=" + steps + ", guidance_scale="
                + guidanceScale + ", timestep_spacing=" + (timestepSpacing == null ? "(scheduler's config)"
                : timestepSpacing);
    }

    public static Preset parse(String id) {
        for (Preset p : values()) {
            if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new CliErrors.UsageException("--preset: unknown preset '" + id + "'; valid: "
                + Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", ")));
    }
}
