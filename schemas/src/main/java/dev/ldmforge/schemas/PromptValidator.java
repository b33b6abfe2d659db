package dev.ldmforge.schemas;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a generic field map (from JSON, Avro or a Spark row) into a normalised {@link PromptRequest}, or rejects it
 * with a stable {@link ErrorCode} and a message naming the field and value. Fields are checked in schema order and
 * the first failure is reported. Typing rules (CSV strings, integral numbers) are those of {@link RawFields}; the
 * rules and defaults are tabled in {@code schemas/README.md}.
 */
public final class PromptValidator {
    /** What to do with fields that are not in {@code PromptRequest.avsc}. */
    public enum UnknownFields {
        /** Default: extra columns (an index, a notes column) are ignored. */
        IGNORE,
        /** Reject the record with {@link ErrorCode#UNKNOWN_FIELD} (catches misspelt parameter names). */
        REJECT
    }

    public static final int MAX_PROMPT_CHARS = 4096;
    public static final List<String> SCHEDULERS =
            List.of("ddim", "pndm", "ddpm", "euler", "euler-ancestral", "lms", "dpmpp-2m", "dpmpp-2m-karras",
                    "lcm");
    public static final List<String> TIMESTEP_SPACINGS = List.of("leading", "linspace", "trailing");
    /** Ids become object-key components: no separators, no leading dot or dash. */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Set<String> KNOWN_FIELDS = Schemas.PROMPT_REQUEST.getFields().stream()
            .map(f -> f.name()).collect(Collectors.toUnmodifiableSet());

    private final GenerationDefaults defaults;
    private final UnknownFields unknownFields;

    /** @throws IllegalArgumentException when the defaults themselves break a rule */
    public PromptValidator(GenerationDefaults defaults, UnknownFields unknownFields) {
        this.defaults = defaults;
        this.unknownFields = unknownFields;
        if (validate(Map.of("prompt", "x", "init_image_uri", "x")) instanceof Validation.Rejected r) {
            throw new IllegalArgumentException("invalid defaults " + defaults + ": " + r.message());
        }
    }

    public PromptValidator(GenerationDefaults defaults) {
        this(defaults, UnknownFields.IGNORE);
    }

    public Validation validate(Map<String, ?> fields) {
        try {
            return new Validation.Accepted(normalise(new RawFields(fields)));
        } catch (InvalidRecordException e) {
            return e.rejected();
        }
    }

    private PromptRequest normalise(RawFields f) throws InvalidRecordException {
        if (unknownFields == UnknownFields.REJECT) {
            rejectUnknown(f);
        }
        String requestId = f.optionalText("request_id");
        if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
            throw new InvalidRecordException(ErrorCode.INVALID_REQUEST_ID, "request_id: " + RawFields.show(requestId)
                    + " is not 1-128 of [A-Za-z0-9._-] starting with a letter or digit");
        }
        String prompt = f.string("prompt");
        if (prompt == null) {
            throw new InvalidRecordException(ErrorCode.MISSING_FIELD, "prompt: missing");
        }
        if (prompt.isBlank()) {
            throw new InvalidRecordException(ErrorCode.BLANK_PROMPT, "prompt: " + RawFields.show(prompt) + " is blank");
        }
        checkLength("prompt", prompt);
        String negativePrompt = f.string("negative_prompt");
        negativePrompt = negativePrompt == null ? defaults.negativePrompt() : negativePrompt;
        checkLength("negative_prompt", negativePrompt);
        int steps = (int) integer(f, "num_inference_steps", defaults.numInferenceSteps(), 1, 1000, 1,
                ErrorCode.INVALID_STEPS);
        double guidance = decimal(f, "guidance_scale", defaults.guidanceScale(), ErrorCode.INVALID_GUIDANCE);
        if (!(guidance >= 0 && guidance <= 50)) {
            throw outOfRange(ErrorCode.INVALID_GUIDANCE, "guidance_scale", f, guidance, "outside 0..50");
        }
        int width = (int) integer(f, "width", defaults.width(), 32, 2048, 8, ErrorCode.INVALID_WIDTH);
        int height = (int) integer(f, "height", defaults.height(), 32, 2048, 8, ErrorCode.INVALID_HEIGHT);
        Long seed = f.absent("seed") ? null
                : integer(f, "seed", 0, 0, Long.MAX_VALUE, 1, ErrorCode.INVALID_SEED);
        int numImages = (int) integer(f, "num_images_per_prompt", defaults.numImagesPerPrompt(), 1, 64, 1,
                ErrorCode.INVALID_NUM_IMAGES);
        String scheduler = scheduler(f, defaults.scheduler());
        String model = f.optionalText("model");
        String initImageUri = f.optionalText("init_image_uri");
        Double strength = !f.absent("strength")
                ? Double.valueOf(decimal(f, "strength", 0, ErrorCode.INVALID_STRENGTH))
                : initImageUri != null ? Double.valueOf(defaults.strength()) : null;
        if (strength != null && !(strength > 0 && strength <= 1)) {
            throw outOfRange(ErrorCode.INVALID_STRENGTH, "strength", f, strength, "outside (0, 1]");
        }
        if (strength != null && initImageUri == null) {
            throw new InvalidRecordException(ErrorCode.INVALID_STRENGTH,
                    "strength: " + RawFields.show(f.raw("strength")) + " given without init_image_uri");
        }
        Map<String, String> metadata = f.stringMap("metadata");
        String prompt2 = f.string("prompt_2");
        checkLength("prompt_2", prompt2);
        String negativePrompt2 = f.string("negative_prompt_2");
        checkLength("negative_prompt_2", negativePrompt2);
        // the job's scheduler options belong to the job's scheduler: a row naming another one takes that one's config
        boolean ownScheduler = scheduler != null && !scheduler.equals(defaults.scheduler());
        String spacing = timestepSpacing(f, ownScheduler ? null : defaults.timestepSpacing());
        Boolean karras = !f.absent("use_karras_sigmas") ? f.bool("use_karras_sigmas")
                : ownScheduler ? null : defaults.useKarrasSigmas();

        PromptRequest given = new PromptRequest(requestId, prompt, negativePrompt, steps, guidance, width, height,
                seed, numImages, scheduler, model, strength, initImageUri, metadata, prompt2, negativePrompt2,
                spacing, karras);
        String id = requestId != null ? requestId : RequestIds.derive(given);
        return new PromptRequest(id, prompt, negativePrompt, steps, guidance, width, height,
                seed != null ? seed : RequestIds.seedFor(id), numImages, scheduler, model, strength, initImageUri,
                metadata, prompt2, negativePrompt2, spacing, karras);
    }

    private static String timestepSpacing(RawFields f, String fallback) throws InvalidRecordException {
        String given = f.optionalText("timestep_spacing");
        String spacing = given != null ? given.toLowerCase(Locale.ROOT) : fallback;
        if (spacing != null && !TIMESTEP_SPACINGS.contains(spacing)) {
            throw new InvalidRecordException(ErrorCode.INVALID_SCHEDULER_OPTIONS, "timestep_spacing: "
                    + RawFields.show(given != null ? given : spacing) + " is not one of "
                    + String.join(", ", TIMESTEP_SPACINGS));
        }
        return spacing;
    }

    private static void rejectUnknown(RawFields f) throws InvalidRecordException {
        Set<String> unknown = new TreeSet<>();
        f.names().forEach(unknown::add);
        unknown.removeAll(KNOWN_FIELDS);
        if (!unknown.isEmpty()) {
            String name = unknown.iterator().next();
            throw new InvalidRecordException(ErrorCode.UNKNOWN_FIELD,
                    name + ": unknown field (value " + RawFields.show(f.raw(name)) + ")");
        }
    }

    private static void checkLength(String name, String text) throws InvalidRecordException {
        if (text == null) {
            return;
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > MAX_PROMPT_CHARS) {
            throw new InvalidRecordException(ErrorCode.PROMPT_TOO_LONG, name + ": " + chars
                    + " characters, more than " + MAX_PROMPT_CHARS + ": " + RawFields.show(text));
        }
    }

    /** An integer field, or {@code fallback} when absent, that is in [min, max] and a multiple of {@code step}. */
    private static long integer(RawFields f, String name, long fallback, long min, long max, int step,
            ErrorCode code) throws InvalidRecordException {
        BigDecimal given = f.integer(name);
        BigDecimal value = given != null ? given : BigDecimal.valueOf(fallback);
        if (value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0
                || value.longValue() % step != 0) {
            String rule = step == 1 ? "outside " + min + ".." + max
                    : "not a multiple of " + step + " in " + min + ".." + max;
            throw outOfRange(code, name, f, value, rule);
        }
        return value.longValue();
    }

    private static double decimal(RawFields f, String name, double fallback, ErrorCode code)
            throws InvalidRecordException {
        BigDecimal value = f.number(name);
        if (value == null) {
            return fallback;
        }
        double d = value.doubleValue();
        if (Double.isInfinite(d)) {
            throw outOfRange(code, name, f, d, "out of range");
        }
        return d;
    }

    private static String scheduler(RawFields f, String fallback) throws InvalidRecordException {
        String scheduler = f.optionalText("scheduler");
        if (scheduler == null) {
            scheduler = fallback;
        }
        if (scheduler == null) {
            return null;
        }
        String name = scheduler.toLowerCase(Locale.ROOT);
        if (!SCHEDULERS.contains(name)) {
            throw new InvalidRecordException(ErrorCode.UNKNOWN_SCHEDULER, "scheduler: " + RawFields.show(scheduler)
                    + " is not one of " + String.join(", ", SCHEDULERS));
        }
        return name;
    }

    private static InvalidRecordException outOfRange(ErrorCode code, String name, RawFields f, Object value,
            String rule) {
        Object shown = f.raw(name) != null ? f.raw(name) : value; // the default when validating defaults
        return new InvalidRecordException(code, name + ": " + RawFields.show(shown) + " is " + rule);
    }
}
