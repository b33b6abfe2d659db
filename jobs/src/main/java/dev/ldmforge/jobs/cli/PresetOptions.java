package dev.ldmforge.jobs.cli;

import picocli.CommandLine.Option;

/** {@code --preset}: named few-step or quality settings that explicit generation flags override. */
public final class PresetOptions {
    @Option(names = "--preset", paramLabel = "NAME",
            description = "turbo (euler-ancestral, trailing, 1 step, guidance 0), lcm (lcm, 4 steps, guidance 1) or "
                    + "quality (dpmpp-2m-karras, 25 steps, guidance 7.5); explicit flags override it")
    String preset;

    /** The chosen preset, or null. */
    public Preset preset() {
        return preset == null ? null : Preset.parse(preset);
    }
}
