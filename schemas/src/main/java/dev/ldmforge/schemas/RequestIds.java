package dev.ldmforge.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Derived request ids and seeds, so the same dataset always yields the same ids and images.
 *
 * <p>{@code request_id} = {@code "r-"} + the first 32 hex digits of sha256 over the UTF-8 bytes of {@link #canonical},
 * a compact JSON array of the version tag and the normalised fields that define the images: prompt,
 * negative_prompt, num_inference_steps, guidance_scale, width, height, seed as given (null when absent),
 * num_images_per_prompt, scheduler, model, strength, init_image_uri, then — only when one is set — an object of the
 * fields added later (see {@link #laterFields}). Not included: request_id and metadata (labels
 * do not change the images, so they do not change the id). Doubles are written in Java's {@code Double.toString}
 * form.
 *
 * <p>{@code seed} when absent = the first 8 bytes of sha256(UTF-8 request_id), big-endian, with the sign bit cleared
 * (a non-negative 63-bit value). Image {@code i} of a request uses {@code seed + i}.
 */
public final class RequestIds {
    static final String VERSION = "ldmforge.request.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestIds() {}

    /** The id of a normalised request whose {@code seed} is the one given in the input (null when absent). */
    public static String derive(PromptRequest request) {
        return "r-" + HexFormat.of().formatHex(sha256(canonical(request))).substring(0, 32);
    }

    public static long seedFor(String requestId) {
        return ByteBuffer.wrap(sha256(requestId)).getLong() & Long.MAX_VALUE;
    }

    static String canonical(PromptRequest r) {
        ArrayNode fields = JSON.createArrayNode()
                .add(VERSION)
                .add(r.prompt())
                .add(r.negativePrompt() == null ? "" : r.negativePrompt())
                .add(r.numInferenceSteps())
                .add(r.guidanceScale())
                .add(r.width())
                .add(r.height())
                .add(r.seed())
                .add(r.numImagesPerPrompt())
                .add(r.scheduler())
                .add(r.model())
                .add(r.strength())
                .add(r.initImageUri());
        ObjectNode later = laterFields(r);
        if (!later.isEmpty()) {
            fields.add(later);
        }
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fields added after v1, present only when set, so every request expressible in v1 keeps its id. An explicit
     * empty negative prompt is told apart from an absent one (v1 wrote "" for both): SDXL draws them differently.
     */
    private static ObjectNode laterFields(PromptRequest r) {
        ObjectNode later = JSON.createObjectNode();
        if ("".equals(r.negativePrompt())) {
            later.put("negative_prompt_empty", true);
        }
        if (r.prompt2() != null) {
            later.put("prompt_2", r.prompt2());
        }
        if (r.negativePrompt2() != null) {
            later.put("negative_prompt_2", r.negativePrompt2());
        }
        if (r.timestepSpacing() != null) {
            later.put("timestep_spacing", r.timestepSpacing());
        }
        if (r.useKarrasSigmas() != null) {
            later.put("use_karras_sigmas", r.useKarrasSigmas());
        }
        return later;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
