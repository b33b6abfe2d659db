package dev.ldmforge.runtime.pipeline;

/**
 * Wall time of each stage for one image, in milliseconds. Stages run for a whole batch at once; each image of the
 * batch gets the batch's time divided by its image count, so summing over images gives the real cost.
 */
public record StageTimings(double textEncodeMs, double denoiseMs, double decodeMs) {
}
