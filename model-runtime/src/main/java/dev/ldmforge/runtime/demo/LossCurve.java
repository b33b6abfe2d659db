package dev.ldmforge.runtime.demo;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The training curves as a PNG: one panel per stage, loss per step (light) and its running mean, log scale. */
final class LossCurve {
    private static final int PANEL_WIDTH = 480;
    private static final int HEIGHT = 320;
    private static final int MARGIN = 44;

    private LossCurve() {
    }

    record Series(String title, List<Float> losses) {
    }

    static void write(Path file, List<Series> panels) {
        BufferedImage image = new BufferedImage(PANEL_WIDTH * panels.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * PANEL_WIDTH);
        }
        g.dispose();
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void draw(Graphics2D g, Series series, int left) {
        // Skipped steps (non-finite losses) leave no point.
        List<Float> y = series.losses().stream().filter(Float::isFinite).toList();
        int w = PANEL_WIDTH - 2 * MARGIN;
        int h = HEIGHT - 2 * MARGIN;
        g.setColor(Color.BLACK);
        g.drawRect(left + MARGIN, MARGIN, w, h);
        g.drawString(series.title() + " (" + y.size() + " steps)", left + MARGIN, MARGIN - 10);
        if (y.isEmpty()) {
            return;
        }
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (float v : y) {
            double l = Math.log10(Math.max(v, 1e-6));
            lo = Math.min(lo, l);
            hi = Math.max(hi, l);
        }
        hi = Math.max(hi, lo + 1e-3);
        g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, hi)), left + 2, MARGIN + 4);
        g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, lo)), left + 2, MARGIN + h);
        g.drawString("step", left + MARGIN + w / 2 - 10, MARGIN + h + 16);
        plot(g, y, 1, left, lo, hi, new Color(170, 190, 230), 1f);
        plot(g, y, Math.max(1, y.size() / 50), left, lo, hi, new Color(20, 60, 160), 2f);
    }

    /** Draws the running mean over {@code window} steps. */
    private static void plot(Graphics2D g, List<Float> y, int window, int left, double lo, double hi, Color colour,
                             float width) {
        int w = PANEL_WIDTH - 2 * MARGIN;
        int h = HEIGHT - 2 * MARGIN;
        g.setColor(colour);
        g.setStroke(new BasicStroke(width));
        double sum = 0;
        int px = -1;
        int py = -1;
        for (int i = 0; i < y.size(); i++) {
            sum += y.get(i);
            if (i >= window) {
                sum -= y.get(i - window);
            }
            double mean = sum / Math.min(i + 1, window);
            int x = left + MARGIN + (int) Math.round((double) i / Math.max(1, y.size() - 1) * w);
            int yy = MARGIN + (int) Math.round((hi - Math.log10(Math.max(mean, 1e-6))) / (hi - lo) * h);
            if (px >= 0) {
                g.drawLine(px, py, x, yy);
            }
            px = x;
            py = yy;
        }
    }
}
