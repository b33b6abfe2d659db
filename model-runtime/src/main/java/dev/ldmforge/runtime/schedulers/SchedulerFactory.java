package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a fresh {@link Scheduler} for every generation run from a model's resolved scheduler config. Schedulers hold
 * per-run state, so instances are never shared; the factory itself is immutable and thread-safe.
 *
 * @param name the scheduler name, or null when the model's own {@code _class_name} with its own settings is used
 */
public record SchedulerFactory(SchedulerName name, SchedulerConfig config) {

    /** Python's json writes -Infinity (diffusers' lambda_min_clipped default): accept it. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Reads a model's {@code scheduler/scheduler_config.json}. */
    public static JsonConfig readConfig(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": config file not found");
        }
        try {
            return new JsonConfig(JSON.readTree(file.toFile()), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid JSON: " + e.getMessage());
        }
    }

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
