package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The diffusers scheduler classes we implement, each with the {@code __init__} defaults of diffusers 0.25.1. A key of
 * the model's scheduler config that a class does not take is ignored, a key the config lacks takes that class's
 * default: exactly what {@code XScheduler.from_config(config)} does.
 */
public enum SchedulerClass {
    DDIM("DDIMScheduler", """
            {"clip_sample": true, "set_alpha_to_one": true, "thresholding": false, "dynamic_thresholding_ratio": 0.995,
             "clip_sample_range": 1.0, "sample_max_value": 1.0, "timestep_spacing": "leading",
             "rescale_betas_zero_snr": false}"""),
    PNDM("PNDMScheduler", """
            {"skip_prk_steps": false, "set_alpha_to_one": false, "timestep_spacing": "leading"}"""),
    DDPM("DDPMScheduler", """
            {"variance_type": "fixed_small", "clip_sample": true, "thresholding": false,
             "dynamic_thresholding_ratio": 0.995, "clip_sample_range": 1.0, "sample_max_value": 1.0,
             "timestep_spacing": "leading", "rescale_betas_zero_snr": false}"""),
    EULER_DISCRETE("EulerDiscreteScheduler", """
            {"interpolation_type": "linear", "use_karras_sigmas": false, "sigma_min": null, "sigma_max": null,
             "timestep_spacing": "linspace", "timestep_type": "discrete", "rescale_betas_zero_snr": false}"""),
    EULER_ANCESTRAL_DISCRETE("EulerAncestralDiscreteScheduler", """
            {"timestep_spacing": "linspace", "rescale_betas_zero_snr": false}"""),
    LMS_DISCRETE("LMSDiscreteScheduler", """
            {"use_karras_sigmas": false, "timestep_spacing": "linspace"}"""),
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", """
            {"solver_order": 2, "thresholding": false, "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1.0,
             "algorithm_type": "dpmsolver++", "solver_type": "midpoint", "lower_order_final": true,
             "euler_at_final": false, "use_karras_sigmas": false, "use_lu_lambdas": false,
             "lambda_min_clipped": "-inf", "variance_type": null, "timestep_spacing": "linspace"}"""),
    /** Latent consistency models (Luo et al. 2023); its {@code timestep_spacing} is stored but never read. */
    LCM("LCMScheduler", """
            {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
             "original_inference_steps": 50, "clip_sample": false, "clip_sample_range": 1.0, "set_alpha_to_one": true,
             "thresholding": false, "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1.0,
             "timestep_spacing": "leading", "timestep_scaling": 10.0, "rescale_betas_zero_snr": false}""");

    /** Defaults every one of these classes shares. */
    private static final String COMMON = """
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "trained_betas": null, "prediction_type": "epsilon", "steps_offset": 0}""";

    private final String className;
    private final ObjectNode defaults;

    SchedulerClass(String className, String ownDefaults) {
        this.className = className;
        try {
            ObjectMapper json = new ObjectMapper();
            this.defaults = (ObjectNode) json.readTree(COMMON);
            this.defaults.setAll((ObjectNode) json.readTree(ownDefaults));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The diffusers class name, as in {@code _class_name}. */
    public String className() {
        return className;
    }

    /** Every config key this class takes, with its default (JSON null for None; "-inf" stands for -infinity). */
    public JsonNode defaults() {
        return defaults.deepCopy();
    }

    /** Whether the class takes {@code use_karras_sigmas} (the sigma schedulers; the alpha-bar ones have no sigmas). */
    public boolean takesKarrasSigmas() {
        return defaults.has("use_karras_sigmas");
    }

    /** Whether {@code timestep_spacing} changes the class's timesteps (LCM selects its own). */
    public boolean takesTimestepSpacing() {
        return this != LCM;
    }

    public static SchedulerClass forClassName(String className) {
        for (SchedulerClass c : values()) {
            if (c.className.equals(className)) {
                return c;
            }
        }
        return null;
    }
}
