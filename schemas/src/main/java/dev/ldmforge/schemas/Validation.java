package dev.ldmforge.schemas;

/** Outcome of {@link PromptValidator#validate}: a normalised request, or the reason it was rejected. */
public sealed interface Validation {

    record Accepted(PromptRequest request) implements Validation {}

    record Rejected(ErrorCode code, String message) implements Validation {}
}
