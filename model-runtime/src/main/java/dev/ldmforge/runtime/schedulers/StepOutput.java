package dev.ldmforge.runtime.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * What one scheduler step returns.
 *
 * @param predOriginalSample the predicted x0, or null for schedulers whose diffusers step does not return it
 *                           (PNDM, DPM-Solver)
 */
public record StepOutput(NDArray prevSample, NDArray predOriginalSample) {
}
