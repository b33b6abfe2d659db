package dev.ldmforge.runtime.demo;

import java.util.Locale;

/** The palette of the demo dataset: saturated colours far apart in RGB, so a judge can name them from pixels. */
public enum DemoColour {
    RED(0xDC1E1E),
    GREEN(0x1EB41E),
    BLUE(0x1E46E6),
    YELLOW(0xF0DC1E),
    PURPLE(0x9628AA),
    WHITE(0xF5F5F5);

    private final int rgb;

    DemoColour(int rgb) {
        this.rgb = rgb;
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    int red() {
        return rgb >> 16 & 0xFF;
    }

    int green() {
        return rgb >> 8 & 0xFF;
    }

    int blue() {
        return rgb & 0xFF;
    }
}
