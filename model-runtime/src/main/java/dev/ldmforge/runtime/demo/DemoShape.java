package dev.ldmforge.runtime.demo;

import java.util.Locale;

/** The shapes of the demo dataset. Each fills a square of side {@code size} centred on the scene's centre. */
public enum DemoShape {
    CIRCLE,
    SQUARE,
    /** Pointing up: apex at the top middle, base along the bottom edge of its square. */
    TRIANGLE;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the point (x, y), in units of the shape's size from its centre (y down), lies inside the shape. */
    boolean covers(double x, double y) {
        return switch (this) {
            case CIRCLE -> x * x + y * y <= 0.25;
            case SQUARE -> Math.abs(x) <= 0.5 && Math.abs(y) <= 0.5;
            case TRIANGLE -> y >= -0.5 && y <= 0.5 && Math.abs(x) <= (y + 0.5) / 2;
        };
    }
}
