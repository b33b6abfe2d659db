package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ldmforge.runtime.config.JsonConfig;


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
        if (name != null) {
            SchedulerName n = SchedulerName.parse(name);
            return new SchedulerFactory(n, SchedulerConfig.resolve(modelConfig, n.schedulerClass(), n.overrides()));
        }
        String className = modelConfig.string("_class_name", null);
        SchedulerClass c = className == null ? null : SchedulerClass.forClassName(className);
        if (c == null) {
            throw modelConfig.unsupported("_class_name", className, "supported: DDIMScheduler, PNDMScheduler, "
                    + "DDPMScheduler, EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, LMSDiscreteScheduler, "
                    + "DPMSolverMultistepScheduler; or choose one of " + SchedulerName.validNames());
        }
        return new SchedulerFactory(null, SchedulerConfig.resolve(modelConfig, c, JsonNodeFactory.instance.objectNode()));
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
        };
    }
}
