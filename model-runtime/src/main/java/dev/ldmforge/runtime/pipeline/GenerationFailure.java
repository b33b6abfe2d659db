package dev.ldmforge.runtime.pipeline;

/**
 * Why one image could not be produced. Codes are stable: {@code NAN_IMAGE} (NaN or infinite values, typical of
 * float16 overflow), {@code BLACK_IMAGE} (every pixel 0), {@code GENERATION_FAILED} (anything else).
 */
public record GenerationFailure(String code, String message) {
}
