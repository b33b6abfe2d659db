package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.RgbImage;

import java.util.Arrays;

/**
 * Reads shape, colour and background from a demo picture with plain pixel statistics, so a generated image can be
 * scored against its caption:
 * <ol>
 *   <li>background: the palette colour nearest to the per-channel median of the border pixels;</li>
 *   <li>foreground: pixels farther than {@link #FOREGROUND_DISTANCE} from that median, keeping the largest
 *       4-connected region (drops speckle noise); none, or a region under {@link #MIN_AREA} of the picture, means no
 *       shape;</li>
 *   <li>colour: the palette colour nearest to the region's per-channel median;</li>
 *   <li>shape: the nearest, in three geometric features of the region within its bounding box (fill ratio, share
 *       of the area in the upper half, fill of the four corner cells), of the features of the ideal shapes
 *       (square 1, 0.5, 1; circle 0.79, 0.5, 0.13; triangle 0.5, 0.25, 0.38).</li>
 * </ol>
 */
public final class DemoJudge {
    /** Half the smallest distance between two palette colours (red and purple, ~157): edge pixels split evenly. */
    static final double FOREGROUND_DISTANCE = 78;
    /** Smaller than the smallest scene's shape (a triangle of 0.4: 8 % of the picture). */
    static final double MIN_AREA = 0.02;
    /** Side of a corner cell, as a fraction of the bounding box. */
    private static final double CORNER = 0.2;
    private static final int SHAPE_PROTOTYPE_PIXELS = 256;
    private static final double[][] PROTOTYPES = prototypes();

    private DemoJudge() {
    }

    public static Judgement judge(RgbImage image) {
        int w = image.width();
        int h = image.height();
        byte[] p = image.pixels();
        int[] back = borderMedian(image);
        DemoColour background = nearest(back);
        boolean[] far = new boolean[w * h];
        for (int i = 0; i < w * h; i++) {
            far[i] = distance(p, i, back) > FOREGROUND_DISTANCE;
        }
        boolean[] region = largestRegion(far, w, h);
        int area = 0;
        for (boolean b : region) {
            area += b ? 1 : 0;
        }
        if (area < MIN_AREA * w * h) {
            return new Judgement(null, null, background);
        }
        return new Judgement(shapeOf(features(region, w, h)), nearest(median(p, region, area)), background);
    }

    /** Fill ratio, upper-half share and corner fill of the region within its bounding box. */
    static double[] features(boolean[] region, int w, int h) {
        int x0 = w;
        int x1 = -1;
        int y0 = h;
        int y1 = -1;
        int area = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (region[y * w + x]) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                    area++;
                }
            }
        }
        double bw = x1 - x0 + 1;
        double bh = y1 - y0 + 1;
        double upper = 0;
        double corners = 0;
        int cornerPixels = 0;
        for (int y = y0; y <= y1; y++) {
            double fy = (y - y0 + 0.5) / bh;
            for (int x = x0; x <= x1; x++) {
                double fx = (x - x0 + 0.5) / bw;
                boolean in = region[y * w + x];
                // A pixel on the middle row counts half to each half.
                double upperWeight = fy < 0.5 ? 1 : fy == 0.5 ? 0.5 : 0;
                upper += in ? upperWeight : 0;
                boolean corner = (fx < CORNER || fx > 1 - CORNER) && (fy < CORNER || fy > 1 - CORNER);
                if (corner) {
                    cornerPixels++;
                    corners += in ? 1 : 0;
                }
            }
        }
        return new double[] {area / (bw * bh), upper / area, cornerPixels == 0 ? 0 : corners / cornerPixels};
    }

    private static DemoShape shapeOf(double[] features) {
        DemoShape best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (DemoShape shape : DemoShape.values()) {
            double[] prototype = PROTOTYPES[shape.ordinal()];
            double d = 0;
            for (int i = 0; i < features.length; i++) {
                d += (features[i] - prototype[i]) * (features[i] - prototype[i]);
            }
            if (d < bestDistance) {
                bestDistance = d;
                best = shape;
            }
        }
        return best;
    }

    /** The features of each ideal shape, measured on a large sharp rendering. */
    private static double[][] prototypes() {
        int n = SHAPE_PROTOTYPE_PIXELS;
        double[][] prototypes = new double[DemoShape.values().length][];
        for (DemoShape shape : DemoShape.values()) {
            boolean[] mask = new boolean[n * n];
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    mask[y * n + x] = shape.covers((x + 0.5) / n - 0.5, (y + 0.5) / n - 0.5);
                }
            }
            prototypes[shape.ordinal()] = features(mask, n, n);
        }
        return prototypes;
    }

    /** The 4-connected region of {@code mask} with the most pixels. */
    private static boolean[] largestRegion(boolean[] mask, int w, int h) {
        int[] label = new int[w * h];
        int[] queue = new int[w * h];
        int bestLabel = 0;
        int bestSize = 0;
        int next = 0;
        for (int start = 0; start < w * h; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            next++;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            label[start] = next;
            while (head < tail) {
                int i = queue[head++];
                int x = i % w;
                int y = i / w;
                int[] neighbours = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1,
                        y + 1 < h ? i + w : -1};
                for (int j : neighbours) {
                    if (j >= 0 && mask[j] && label[j] == 0) {
                        label[j] = next;
                        queue[tail++] = j;
                    }
                }
            }
            if (tail > bestSize) {
                bestSize = tail;
                bestLabel = next;
            }
        }
        boolean[] region = new boolean[w * h];
        for (int i = 0; i < w * h; i++) {
            region[i] = bestLabel != 0 && label[i] == bestLabel;
        }
        return region;
    }

    private static int[] borderMedian(RgbImage image) {
        int w = image.width();
        int h = image.height();
        boolean[] border = new boolean[w * h];
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                    border[y * w + x] = true;
                    count++;
                }
            }
        }
        return median(image.pixels(), border, count);
    }

    /** Per-channel median of the selected pixels. */
    private static int[] median(byte[] p, boolean[] selected, int count) {
        int[] result = new int[3];
        int[] values = new int[count];
        for (int c = 0; c < 3; c++) {
            int k = 0;
            for (int i = 0; i < selected.length; i++) {
                if (selected[i]) {
                    values[k++] = p[i * 3 + c] & 0xFF;
                }
            }
            Arrays.sort(values);
            result[c] = values[count / 2];
        }
        return result;
    }

    private static DemoColour nearest(int[] rgb) {
        DemoColour best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (DemoColour c : DemoColour.values()) {
            double d = Math.hypot(Math.hypot(rgb[0] - c.red(), rgb[1] - c.green()), rgb[2] - c.blue());
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    private static double distance(byte[] p, int pixel, int[] rgb) {
        int at = pixel * 3;
        double r = (p[at] & 0xFF) - rgb[0];
        double g = (p[at + 1] & 0xFF) - rgb[1];
        double b = (p[at + 2] & 0xFF) - rgb[2];
        return Math.sqrt(r * r + g * g + b * b);
    }
}
