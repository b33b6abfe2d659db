package dev.ldmforge.runtime.pipeline;

/**
 * SDXL's micro-conditioning, diffusers' {@code original_size}, {@code crops_coords_top_left} and {@code target_size}
 * as (height, width), (top, left) and (height, width): the UNet's {@code time_ids} are these six numbers in this
 * order. diffusers' defaults are (height, width), (0, 0) and (height, width) of the image being made
 * ({@link #defaults}).
 */
public record MicroConditioning(int originalHeight, int originalWidth, int cropTop, int cropLeft, int targetHeight,
                                int targetWidth) {

    public MicroConditioning {
        if (originalHeight < 1 || originalWidth < 1 || targetHeight < 1 || targetWidth < 1) {
            throw new IllegalArgumentException("original_size and target_size must be positive, got ("
                    + originalHeight + ", " + originalWidth + ") and (" + targetHeight + ", " + targetWidth + ")");
        }
        if (cropTop < 0 || cropLeft < 0) {
            throw new IllegalArgumentException("crops_coords_top_left must not be negative, got (" + cropTop + ", "
                    + cropLeft + ")");
        }
    }

    /** diffusers' defaults for an image of {@code width} × {@code height}. */
    public static MicroConditioning defaults(int width, int height) {
        return new MicroConditioning(height, width, 0, 0, height, width);
    }

    /** {@code list(original_size + crops_coords_top_left + target_size)}, as {@code _get_add_time_ids} builds it. */
    public float[] timeIds() {
        return new float[] {originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth};
    }
}
