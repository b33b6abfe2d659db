package dev.ldmforge.runtime.pipeline;

/**
 * What a loaded model is, for logs, metadata rows and {@code inspect}.
 *
 * @param id            the location it was loaded from ({@code tiny}, a folder or a file), or for a Hugging Face
 *                      model its repository {@code ORG/NAME}
 * @param revision      a Hugging Face model's commit hash (the snapshot loaded), else null
 * @param family        {@code SD1} (OpenAI CLIP text encoder), {@code SD2} (OpenCLIP) or {@code SDXL} (both)
 * @param weightsSha256 sha256 over every weight tensor's name, dtype, shape and bytes, in key order
 * @param defaultWidth  the UNet's sample_size × the VAE's scale factor (diffusers' default image size)
 */
public record ModelInfo(String id, String revision, String family, String weightsSha256, String device, String dtype,
                        int defaultWidth, int defaultHeight, String schedulerClass, String predictionType) {
}
