package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;

/**
 * {@code CLIPTextModel}'s outputs: {@code lastHiddenState} [B, L, hidden] after the final layer norm (the prompt
 * embeddings of the SD pipeline), {@code pooledOutput} [B, hidden], the last hidden state at the end token, and
 * {@code penultimateHiddenState} = {@code hidden_states[-2]} [B, L, hidden], the input of the last layer without
 * the final layer norm (what SDXL conditions on).
 */
public record ClipTextOutput(NDArray lastHiddenState, NDArray pooledOutput, NDArray penultimateHiddenState) {
}
