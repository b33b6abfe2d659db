package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.RgbImage;

/**
 * One picture of the demo dataset: a shape of one colour on a plain background of another. Coordinates are fractions
 * of the image's side, so a scene renders at any size.
 *
 * @param centerX the shape's centre, from the left edge
 * @param centerY the shape's centre, from the top edge
 * @param size    the side of the square the shape fills
 */
public record ShapeScene(DemoShape shape, DemoColour colour, DemoColour background, double centerX, double centerY,
                         double size) {
    /** Samples per pixel along each axis when rendering (anti-aliasing by supersampling). */
    private static final int SUPERSAMPLING = 4;

    public ShapeScene {
        if (shape == null || colour == null || background == null) {
            throw new IllegalArgumentException("shape, colour and background are required");
        }
        if (colour == background) {
            throw new IllegalArgumentException("a " + colour.word() + " shape on a background of the same colour");
        }
        double half = size / 2;
        if (!(size > 0 && size <= 1) || centerX - half < 0 || centerX + half > 1 || centerY - half < 0
                || centerY + half > 1) {
            throw new IllegalArgumentException("shape of size " + size + " at (" + centerX + ", " + centerY
                    + ") is not inside the image");
        }
    }

    /** E.g. "a red circle on a blue background". */
    public String caption() {
        return "a " + colour.word() + " " + shape.word() + " on a " + background.word() + " background";
    }

    /** The scene as a {@code pixels}×{@code pixels} image; edge pixels mix the two colours by coverage. */
    public RgbImage render(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("image size " + pixels);
        }
        byte[] rgb = new byte[pixels * pixels * 3];
        int samples = SUPERSAMPLING * SUPERSAMPLING;
        for (int py = 0; py < pixels; py++) {
            for (int px = 0; px < pixels; px++) {
                int covered = 0;
                for (int sy = 0; sy < SUPERSAMPLING; sy++) {
                    double y = ((py + (sy + 0.5) / SUPERSAMPLING) / pixels - centerY) / size;
                    for (int sx = 0; sx < SUPERSAMPLING; sx++) {
                        double x = ((px + (sx + 0.5) / SUPERSAMPLING) / pixels - centerX) / size;
                        if (shape.covers(x, y)) {
                            covered++;
                        }
                    }
                }
                int at = (py * pixels + px) * 3;
                rgb[at] = mix(background.red(), colour.red(), covered, samples);
                rgb[at + 1] = mix(background.green(), colour.green(), covered, samples);
                rgb[at + 2] = mix(background.blue(), colour.blue(), covered, samples);
            }
        }
        return new RgbImage(pixels, pixels, rgb);
    }

    private static byte mix(int back, int front, int covered, int samples) {
        return (byte) Math.round((back * (samples - covered) + front * covered) / (double) samples);
    }
}
