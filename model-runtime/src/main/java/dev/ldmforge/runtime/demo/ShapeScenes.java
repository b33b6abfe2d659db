package dev.ldmforge.runtime.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo dataset: scene {@code index} of a dataset is a pure function of (seed, index), so any sample is
 * reproducible without generating the ones before it. Shape, colour and background are uniform over all combinations
 * (colour ≠ background); size and position are uniform with the shape wholly inside the image.
 */
public final class ShapeScenes {
    /** Sizes as fractions of the image's side: small enough to move around, large enough to read at 32×32. */
    public static final double MIN_SIZE = 0.4;
    public static final double MAX_SIZE = 0.7;
    /** The size of the centred scenes of {@link #allCaptions()}. */
    public static final double CANONICAL_SIZE = 0.55;

    private ShapeScenes() {
    }

    public static ShapeScene scene(long seed, long index) {
        SplittableRandom random = new SplittableRandom(mix64(mix64(seed) + index));
        DemoShape[] shapes = DemoShape.values();
        DemoColour[] colours = DemoColour.values();
        DemoShape shape = shapes[random.nextInt(shapes.length)];
        DemoColour colour = colours[random.nextInt(colours.length)];
        // One of the other colours: skip over the shape's own.
        int b = random.nextInt(colours.length - 1);
        DemoColour background = colours[b >= colour.ordinal() ? b + 1 : b];
        double size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * random.nextDouble();
        double half = size / 2;
        double x = half + (1 - size) * random.nextDouble();
        double y = half + (1 - size) * random.nextDouble();
        return new ShapeScene(shape, colour, background, x, y, size);
    }

    /** One centred scene per (shape, colour, background) combination: shapes, then colours, then backgrounds. */
    public static List<ShapeScene> allCaptions() {
        List<ShapeScene> scenes = new ArrayList<>();
        for (DemoShape shape : DemoShape.values()) {
            for (DemoColour colour : DemoColour.values()) {
                for (DemoColour background : DemoColour.values()) {
                    if (background != colour) {
                        scenes.add(new ShapeScene(shape, colour, background, 0.5, 0.5, CANONICAL_SIZE));
                    }
                }
            }
        }
        return List.copyOf(scenes);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser (as SplittableRandom uses): a bijective 64-bit mix. */
    private static long mix64(long z) {
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        return z ^ z >>> 31;
    }
}
