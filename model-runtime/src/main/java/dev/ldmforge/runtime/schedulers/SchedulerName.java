package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The scheduler names requests use. Each selects a diffusers class plus the settings that make up the algorithm
 * (like {@code XScheduler.from_config(pipe.scheduler.config, **overrides)}); everything else comes from the model.
 */
public enum SchedulerName {
    DDIM("ddim", SchedulerClass.DDIM, "{}"),
    /** PLMS, the PNDM variant Stable Diffusion ships with. */
    PNDM("pndm", SchedulerClass.PNDM, "{\"skip_prk_steps\": true}"),
    DDPM("ddpm", SchedulerClass.DDPM, "{}"),
    EULER("euler", SchedulerClass.EULER_DISCRETE, "{}"),
    EULER_ANCESTRAL("euler-ancestral", SchedulerClass.EULER_ANCESTRAL_DISCRETE, "{}"),
    LMS("lms", SchedulerClass.LMS_DISCRETE, "{}"),
    DPMPP_2M("dpmpp-2m", SchedulerClass.DPM_SOLVER_MULTISTEP,
            "{\"algorithm_type\": \"dpmsolver++\", \"solver_order\": 2, \"use_karras_sigmas\": false}"),
    DPMPP_2M_KARRAS("dpmpp-2m-karras", SchedulerClass.DPM_SOLVER_MULTISTEP,
            "{\"algorithm_type\": \"dpmsolver++\", \"solver_order\": 2, \"use_karras_sigmas\": true}"),
    LCM("lcm", SchedulerClass.LCM, "{}");

    private final String id;
    private final SchedulerClass schedulerClass;
    private final JsonNode overrides;

    SchedulerName(String id, SchedulerClass schedulerClass, String overrides) {
        this.id = id;
        this.schedulerClass = schedulerClass;
        try {
            this.overrides = new ObjectMapper().readTree(overrides);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String id() {
        return id;
    }

    public SchedulerClass schedulerClass() {
        return schedulerClass;
    }

    /** The config keys this name fixes, whatever the model's config says. */
    public JsonNode overrides() {
        return overrides.deepCopy();
    }

    /** Parses a request's scheduler name; an unknown name is an error that lists the valid ones. */
    public static SchedulerName parse(String id) {
        for (SchedulerName n : values()) {
            if (n.id.equals(id)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown scheduler '" + id + "'; valid names: " + validNames());
    }

    public static String validNames() {
        return Arrays.stream(values()).map(SchedulerName::id).collect(Collectors.joining(", "));
    }
}
