package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * How a model family turns the prompts of a batch into the UNet's {@link Conditioning}: SD 1.x/2.x with one text
 * encoder's last hidden state ({@link ClipPromptEncoder}), SDXL with two encoders and micro-conditioning
 * ({@link SdxlPromptEncoder}).
 */
interface PromptEncoder {

    /**
     * The conditioning of one UNet batch in diffusers' order: with classifier-free guidance the negative rows of
     * all {@code requests} followed by their prompt rows, without it the prompt rows alone. Arrays land in
     * {@code manager}; each distinct text is encoded once.
     */
    Conditioning encode(List<GenerationRequest> requests, boolean cfg, NDManager manager);
}
