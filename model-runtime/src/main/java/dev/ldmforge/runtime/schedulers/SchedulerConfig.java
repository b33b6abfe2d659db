package dev.ldmforge.runtime.schedulers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A model's {@code scheduler_config.json} resolved for one scheduler class, as {@code from_config} resolves it:
 * the model's values for the keys the class takes, the class's defaults for the keys the config lacks, then the
 * chosen scheduler's algorithm overrides. Fields a class does not take hold neutral values it never reads.
 *
 * @param trainedBetas null unless the config gives {@code trained_betas}
 * @param solverType DPM-Solver's second-order form, {@code midpoint} or {@code heun}
 * @param keysFromClassDefaults the keys the model's config lacked (for logs and metadata)
 * @param originalInferenceSteps LCM's distillation schedule length ({@code original_inference_steps})
 * @param timestepScaling LCM's boundary-condition timestep multiplier ({@code timestep_scaling})
 */
public record SchedulerConfig(
        SchedulerClass schedulerClass,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        double[] trainedBetas,
        PredictionType predictionType,
        int stepsOffset,
        TimestepSpacing timestepSpacing,
        boolean setAlphaToOne,
        boolean clipSample,
        double clipSampleRange,
        boolean skipPrkSteps,
        boolean useKarrasSigmas,
        int solverOrder,
        String solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        List<String> keysFromClassDefaults,
        int originalInferenceSteps,
        double timestepScaling) {

    public static SchedulerConfig resolve(JsonConfig model, SchedulerClass schedulerClass, JsonNode overrides) {
        ObjectNode merged = (ObjectNode) schedulerClass.defaults();
        List<String> fromDefaults = new ArrayList<>();
        for (Iterator<String> keys = merged.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (overrides.has(key)) {
                merged.set(key, overrides.get(key));
            } else if (model.node().has(key)) {
                merged.set(key, model.node().get(key));
            } else {
                fromDefaults.add(key);
            }
        }
        JsonConfig c = new JsonConfig(merged, model.source() + " (as " + schedulerClass.className() + ")");
        rejectUnsupported(c, schedulerClass);

        int trainSteps = c.integer("num_train_timesteps", 1000);
        if (trainSteps < 2) {
            throw c.unsupported("num_train_timesteps", trainSteps, "at least 2");
        }
        PredictionType prediction = PredictionType.parse(
                c.oneOf("prediction_type", "epsilon", "epsilon", "v_prediction", "sample"));
        if (prediction == PredictionType.SAMPLE && (schedulerClass == SchedulerClass.PNDM
                || schedulerClass == SchedulerClass.EULER_ANCESTRAL_DISCRETE)) {
            throw c.unsupported("prediction_type", "sample", schedulerClass.className()
                    + " supports epsilon and v_prediction");
        }
        int stepsOffset = c.integer("steps_offset", 0);
        if (stepsOffset < 0) {
            throw c.unsupported("steps_offset", stepsOffset, "must be >= 0");
        }
        if (!c.bool("skip_prk_steps", true)) {
            throw c.unsupported("skip_prk_steps", false, "only the PLMS path (skip_prk_steps true) is implemented");
        }
        int solverOrder = c.integer("solver_order", 2);
        if (solverOrder != 1 && solverOrder != 2) {
            throw c.unsupported("solver_order", solverOrder, "supported: 1, 2");
        }
        return new SchedulerConfig(schedulerClass, trainSteps,
                c.number("beta_start", 0.0001),
                c.number("beta_end", 0.02),
                BetaSchedule.parse(c.oneOf("beta_schedule", "linear", "linear", "scaled_linear", "squaredcos_cap_v2")),
                trainedBetas(c, trainSteps),
                prediction,
                stepsOffset,
                TimestepSpacing.parse(c.oneOf("timestep_spacing", "leading", "leading", "trailing", "linspace")),
                c.bool("set_alpha_to_one", false),
                c.bool("clip_sample", false),
                c.number("clip_sample_range", 1.0),
                c.bool("skip_prk_steps", true),
                c.bool("use_karras_sigmas", false),
                solverOrder,
                c.oneOf("solver_type", "midpoint", "midpoint", "heun"),
                c.bool("lower_order_final", true),
                c.bool("euler_at_final", false),
                List.copyOf(fromDefaults),
                originalInferenceSteps(c, trainSteps),
                c.number("timestep_scaling", 10.0));
    }

    /** Options diffusers offers that change the result but are not implemented: refused, never ignored. */
    private static void rejectUnsupported(JsonConfig c, SchedulerClass schedulerClass) {
        c.requireAbsentOr("thresholding", false);
        c.requireAbsentOr("rescale_betas_zero_snr", false);
        c.requireAbsentOr("timestep_type", "discrete");
        c.requireAbsentOr("interpolation_type", "linear");
        c.requireAbsentOr("use_lu_lambdas", false);
        c.requireAbsentOr("algorithm_type", "dpmsolver++");
        for (String field : List.of("sigma_min", "sigma_max")) {
            if (c.has(field)) {
                throw c.unsupported(field, c.node().get(field), "only null (the schedule's own range) is supported");
            }
        }
        JsonNode lambdaMin = c.node().get("lambda_min_clipped");
        if (lambdaMin != null && !lambdaMin.isNull() && !"-inf".equals(lambdaMin.asText())
                && !(lambdaMin.isNumber() && lambdaMin.asDouble() == Double.NEGATIVE_INFINITY)) {
            throw c.unsupported("lambda_min_clipped", lambdaMin, "only -inf (no clipping) is supported");
        }
        if (schedulerClass == SchedulerClass.DDPM) {
            c.oneOf("variance_type", "fixed_small", "fixed_small");
        } else if (c.has("variance_type")) {
            throw c.unsupported("variance_type", c.node().get("variance_type"), "only null is supported");
        }
    }

    private static int originalInferenceSteps(JsonConfig c, int trainSteps) {
        int steps = c.integer("original_inference_steps", 50);
        if (steps < 1 || steps > trainSteps) {
            throw c.unsupported("original_inference_steps", steps, "must be in [1, num_train_timesteps]");
        }
        return steps;
    }

    private static double[] trainedBetas(JsonConfig c, int trainSteps) {
        JsonNode node = c.node().get("trained_betas");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.size() != trainSteps) {
            throw new ConfigException(c.source() + ": field trained_betas must be null or a list of "
                    + trainSteps + " numbers (num_train_timesteps), found " + abbreviate(node));
        }
        double[] betas = new double[trainSteps];
        for (int i = 0; i < trainSteps; i++) {
            if (!node.get(i).isNumber()) {
                throw new ConfigException(c.source() + ": trained_betas[" + i + "] is " + node.get(i)
                        + ", expected a number");
            }
            betas[i] = node.get(i).asDouble();
        }
        return betas;
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    @Override
    public double[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    /** {@code alphas_cumprod} of the training schedule (float32, as torch computes it). */
    public float[] alphasCumprod() {
        float[] betas;
        if (trainedBetas != null) {
            betas = Numpy.toFloat(trainedBetas);
        } else {
            betas = betaSchedule.betas(betaStart, betaEnd, numTrainTimesteps);
        }
        return BetaSchedule.alphasCumprod(betas);
    }
}
