package dev.ldmforge.schemas;

/**
 * Why a record produced no image. Stable: dashboards and alerts key on these names. The constants equal the symbols of
 * the {@code ErrorCode} enum in {@code DeadLetter.avsc} (checked by a test).
 */
public enum ErrorCode {
    // Decoding
    MALFORMED_JSON,
    MALFORMED_AVRO,
    // Validation (PromptValidator)
    MISSING_FIELD,
    WRONG_TYPE,
    UNKNOWN_FIELD,
    INVALID_REQUEST_ID,
    BLANK_PROMPT,
    PROMPT_TOO_LONG,
    INVALID_STEPS,
    INVALID_GUIDANCE,
    INVALID_WIDTH,
    INVALID_HEIGHT,
    INVALID_SEED,
    INVALID_NUM_IMAGES,
    UNKNOWN_SCHEDULER,
    INVALID_STRENGTH,
    // Runtime failures, raised by the jobs
    UNKNOWN_MODEL,
    GENERATION_FAILED,
    NAN_IMAGE,
    STORAGE_FAILED,
    MESSAGE_TOO_LARGE,
    DUPLICATE_REQUEST,
    // Reading batch datasets (appended: Avro writes enums by index)
    MALFORMED_CSV,
    UNREADABLE_FILE,
    // Generation outcomes added after the first release of the schema
    BLACK_IMAGE,
    INVALID_INIT_IMAGE,
    // The trust boundary and scheduler options (issues 13, 17)
    INIT_IMAGE_NOT_ALLOWED,
    INVALID_SCHEDULER_OPTIONS
}
