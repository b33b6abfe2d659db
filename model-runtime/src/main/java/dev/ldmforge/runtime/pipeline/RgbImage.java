package dev.ldmforge.runtime.pipeline;

/** An 8-bit RGB picture, interleaved and row-major: what the pipeline returns and what img2img takes. */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        if (pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " RGB bytes for " + width
                    + "x" + height + ", got " + pixels.length);
        }
    }
}
