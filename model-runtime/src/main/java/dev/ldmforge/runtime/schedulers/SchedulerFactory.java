package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;


/**
 * Makes a fresh {@link Scheduler} for every generation run from a model's resolved scheduler config. Schedulers hold
 * per-run state, so instances are never shared; the factory itself is immutable and thread-safe.
 *
 * @param name the scheduler name, or null when the model's own {@code _class_name} with its own settings is used
 */
public record SchedulerFactory(SchedulerName name, SchedulerConfig config) {

    /**
     * The factory for scheduler {@code name} (see {@link SchedulerName}) over the model's config; with a null name,
     * the config's own {@code _class_name} is used with the config's settings unchanged.
     */
    public static SchedulerFactory of(JsonConfig modelConfig, String name) {
        return of(modelConfig, name, null, null);
    }

    /**
     * As {@link #of(JsonConfig, String)}, with a request's {@code timestep_spacing} and {@code use_karras_sigmas}
     * overriding the model's config (null = the config's value, else the class's default, as diffusers).
     *
     * @throws SchedulerOptionsException for an unknown spacing or an option the scheduler does not take: Karras
     *                                   sigmas on a scheduler without sigmas, spacing for LCM, {@code
     *                                   use_karras_sigmas=false} with a {@code -karras} name
     */
    public static SchedulerFactory of(JsonConfig modelConfig, String name, String timestepSpacing,
                                      Boolean useKarrasSigmas) {
        SchedulerName n = name == null ? null : SchedulerName.parse(name);
        SchedulerClass c = n != null ? n.schedulerClass() : modelClass(modelConfig);
        ObjectNode overrides = n != null ? (ObjectNode) n.overrides() : JsonNodeFactory.instance.objectNode();
        if (timestepSpacing != null) {
            String spacing = timestepSpacing.toLowerCase(Locale.ROOT);
            if (Arrays.stream(TimestepSpacing.values()).noneMatch(s -> s.configName().equals(spacing))) {
                throw new SchedulerOptionsException("timestep_spacing: '" + timestepSpacing + "' is not one of "
                        + Arrays.stream(TimestepSpacing.values()).map(TimestepSpacing::configName)
                        .collect(Collectors.joining(", ")));
            }
            if (!c.takesTimestepSpacing()) {
                throw new SchedulerOptionsException("timestep_spacing: '" + timestepSpacing + "' is not supported by "
                        + c.className() + ", which takes its timesteps from original_inference_steps");
            }
            overrides.put("timestep_spacing", spacing);
        }
        if (useKarrasSigmas != null) {
            if (useKarrasSigmas && !c.takesKarrasSigmas()) {
                throw new SchedulerOptionsException("use_karras_sigmas: true is not supported by " + c.className()
                        + " (" + (n != null ? n.id() : "the model's scheduler") + "), which has no sigmas; "
                        + "Karras sigmas work with euler, lms, dpmpp-2m");
            }
            if (!useKarrasSigmas && n != null && n.id().endsWith("-karras")) {
                throw new SchedulerOptionsException("use_karras_sigmas: false contradicts scheduler " + n.id()
                        + " (use " + n.id().substring(0, n.id().length() - "-karras".length()) + ")");
            }
            if (c.takesKarrasSigmas()) {
                overrides.put("use_karras_sigmas", useKarrasSigmas);
            }
        }
        return new SchedulerFactory(n, SchedulerConfig.resolve(modelConfig, c, overrides));
    }

    private static SchedulerClass modelClass(JsonConfig modelConfig) {
        String className = modelConfig.string("_class_name", null);
        SchedulerClass c = className == null ? null : SchedulerClass.forClassName(className);
        if (c == null) {
            throw modelConfig.unsupported("_class_name", className, "supported: "
                    + Arrays.stream(SchedulerClass.values()).map(SchedulerClass::className)
                    .collect(Collectors.joining(", ")) + "; or choose one of " + SchedulerName.validNames());
        }
        return c;
    }

    /** The {@code timestep_spacing} this factory's runs use, or null for a scheduler that ignores it (LCM). */
    public String resolvedTimestepSpacing() {
        return config.schedulerClass().takesTimestepSpacing() ? config.timestepSpacing().configName() : null;
    }

    /** The {@code use_karras_sigmas} this factory's runs use, or null for a scheduler without sigmas. */
    public Boolean resolvedUseKarrasSigmas() {
        return config.schedulerClass().takesKarrasSigmas() ? config.useKarrasSigmas() : null;
    }

    /** A new scheduler for one run, with DDIM's {@code eta} 0 (deterministic). */
    public Scheduler create() {
        return create(0);
    }

    /** A new scheduler for one run; {@code eta} is DDIM's noise weight and, as in diffusers, ignored by the others. */
    public Scheduler create(double eta) {
        if (eta < 0) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
        return switch (config.schedulerClass()) {
            case DDIM -> new DDIMScheduler(config, (float) eta);
            case PNDM -> new PNDMScheduler(config);
            case DDPM -> new DDPMScheduler(config);
            case EULER_DISCRETE -> new EulerDiscreteScheduler(config);
            case EULER_ANCESTRAL_DISCRETE -> new EulerAncestralDiscreteScheduler(config);
            case LMS_DISCRETE -> new LMSDiscreteScheduler(config);
            case DPM_SOLVER_MULTISTEP -> new DPMSolverMultistepScheduler(config);
            case LCM -> new LCMScheduler(config);
        };
    }
}
