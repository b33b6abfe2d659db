package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;

/**
 * {@code CLIPTextModel}'s outputs: {@code lastHiddenState} [B, L, hidden] after the final layer norm (the prompt
 * embeddings of the SD pipeline) and {@code pooledOutput} [B, hidden], the last hidden state at the end token.
 */
public record ClipTextOutput(NDArray lastHiddenState, NDArray pooledOutput) {
}
