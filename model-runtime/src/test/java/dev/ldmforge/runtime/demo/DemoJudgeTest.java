package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.RgbImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoJudgeTest {

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void readsRenderedScenes(int pixels) {
        Accuracy a = accuracy(pixels, 600, UnaryOperator.identity());
        System.out.println(pixels + " px clean: " + a);
        assertAtLeast(0.99, a);
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void readsNoisyScenes(int pixels) {
        Random random = new Random(pixels);
        Accuracy a = accuracy(pixels, 300, image -> noisy(image, 20, random));
        System.out.println(pixels + " px noise 20/255: " + a);
        assertAtLeast(0.97, a);
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void readsBlurredNoisyScenes(int pixels) {
        Random random = new Random(pixels + 1);
        Accuracy a = accuracy(pixels, 300, image -> noisy(blurred(image), 10, random));
        System.out.println(pixels + " px blur + noise 10/255: " + a);
        assertAtLeast(0.97, a);
    }

    @Test
    void uniformPictureHasNoShape() {
        byte[] grey = new byte[32 * 32 * 3];
        Arrays.fill(grey, (byte) 0x80);
        Judgement j = DemoJudge.judge(new RgbImage(32, 32, grey));
        assertNull(j.shape());
        assertNull(j.colour());
        ShapeScene purple = new ShapeScene(DemoShape.SQUARE, DemoColour.RED, DemoColour.PURPLE, 0.5, 0.5, 0.5);
        RgbImage plain = new ShapeScene(DemoShape.SQUARE, DemoColour.RED, DemoColour.PURPLE, 0.5, 0.5, 0.01)
                .render(32);
        Judgement background = DemoJudge.judge(plain);
        assertEquals(DemoColour.PURPLE, background.background());
        assertNull(background.shape());
        assertFalse(background.matches(purple));
    }

    @Test
    void canonicalScenesOfEveryCaptionAreReadRight() {
        for (ShapeScene scene : ShapeScenes.allCaptions()) {
            for (int pixels : new int[] {32, 64}) {
                assertTrue(DemoJudge.judge(scene.render(pixels)).matches(scene), scene.caption() + " " + pixels);
            }
        }
    }

    private static Accuracy accuracy(int pixels, int n, UnaryOperator<RgbImage> distortion) {
        Accuracy a = Accuracy.NONE;
        for (int i = 0; i < n; i++) {
            ShapeScene scene = ShapeScenes.scene(42, i);
            a = a.plus(DemoJudge.judge(distortion.apply(scene.render(pixels))), scene);
        }
        return a;
    }

    private static void assertAtLeast(double rate, Accuracy a) {
        assertTrue(a.colourAccuracy() >= rate, "colour " + a);
        assertTrue(a.backgroundAccuracy() >= rate, "background " + a);
        assertTrue(a.shapeAccuracy() >= rate, "shape " + a);
    }

    private static RgbImage noisy(RgbImage image, double sigma, Random random) {
        byte[] p = image.pixels().clone();
        for (int i = 0; i < p.length; i++) {
            long v = Math.round((p[i] & 0xFF) + sigma * random.nextGaussian());
            p[i] = (byte) Math.max(0, Math.min(255, v));
        }
        return new RgbImage(image.width(), image.height(), p);
    }

    /** 3×3 box blur, edges clamped. */
    private static RgbImage blurred(RgbImage image) {
        int w = image.width();
        int h = image.height();
        byte[] p = image.pixels();
        byte[] out = new byte[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = Math.max(0, Math.min(w - 1, x + dx));
                            int yy = Math.max(0, Math.min(h - 1, y + dy));
                            sum += p[(yy * w + xx) * 3 + c] & 0xFF;
                        }
                    }
                    out[(y * w + x) * 3 + c] = (byte) Math.round(sum / 9.0);
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
