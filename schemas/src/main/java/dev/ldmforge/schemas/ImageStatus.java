package dev.ldmforge.schemas;

/** Outcome of one image of a run; equals the {@code ImageStatus} enum of {@code GeneratedImage.avsc}. */
public enum ImageStatus {
    /** Generated and stored by this run. */
    GENERATED,
    /** Already present in the store (an earlier run or attempt); skipped. */
    EXISTING
}
