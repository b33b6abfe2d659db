package dev.ldmforge.runtime.demo;

import dev.ldmforge.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeScenesTest {

    @Test
    void captionReadsAsASentence() {
        ShapeScene scene = new ShapeScene(DemoShape.CIRCLE, DemoColour.RED, DemoColour.BLUE, 0.5, 0.5, 0.5);
        assertEquals("a red circle on a blue background", scene.caption());
    }

    @Test
    void sceneIsAPureFunctionOfSeedAndIndex() {
        assertEquals(ShapeScenes.scene(7, 123), ShapeScenes.scene(7, 123));
        assertNotEquals(ShapeScenes.scene(7, 123), ShapeScenes.scene(7, 124));
        assertNotEquals(ShapeScenes.scene(7, 123), ShapeScenes.scene(8, 123));
        assertArrayEquals(ShapeScenes.scene(7, 5).render(32).pixels(), ShapeScenes.scene(7, 5).render(32).pixels());
    }

    @Test
    void scenesCoverEveryCombinationWithShapesInsideAndReadableSizes() {
        Map<String, Integer> counts = new HashMap<>();
        int n = 9000;
        for (int i = 0; i < n; i++) {
            ShapeScene s = ShapeScenes.scene(0, i);
            assertNotEquals(s.colour(), s.background());
            assertTrue(s.size() >= ShapeScenes.MIN_SIZE && s.size() <= ShapeScenes.MAX_SIZE, s.toString());
            assertTrue(s.centerX() - s.size() / 2 >= 0 && s.centerX() + s.size() / 2 <= 1, s.toString());
            assertTrue(s.centerY() - s.size() / 2 >= 0 && s.centerY() + s.size() / 2 <= 1, s.toString());
            counts.merge(s.caption(), 1, Integer::sum);
        }
        assertEquals(ShapeScenes.allCaptions().size(), counts.size());
        double expected = (double) n / counts.size();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            assertTrue(Math.abs(e.getValue() - expected) < 5 * Math.sqrt(expected), e.toString());
        }
    }

    @Test
    void allCaptionsListsEachCombinationOnceCentred() {
        List<ShapeScene> all = ShapeScenes.allCaptions();
        int colours = DemoColour.values().length;
        assertEquals(DemoShape.values().length * colours * (colours - 1), all.size());
        Set<String> captions = new HashSet<>();
        for (ShapeScene s : all) {
            assertTrue(captions.add(s.caption()), s.caption());
            assertEquals(0.5, s.centerX());
            assertEquals(0.5, s.centerY());
        }
        assertEquals("a red circle on a green background", all.get(0).caption());
    }

    @Test
    void renderingFillsTheShapeAndBlendsOnlyItsEdges() {
        ShapeScene square = new ShapeScene(DemoShape.SQUARE, DemoColour.WHITE, DemoColour.BLUE, 0.5, 0.5, 0.5);
        RgbImage image = square.render(32);
        assertEquals(32, image.width());
        assertEquals(pixel(DemoColour.WHITE), pixelAt(image, 16, 16));
        assertEquals(pixel(DemoColour.BLUE), pixelAt(image, 2, 2));
        for (DemoShape shape : DemoShape.values()) {
            ShapeScene s = new ShapeScene(shape, DemoColour.YELLOW, DemoColour.PURPLE, 0.5, 0.5, 0.6);
            RgbImage big = s.render(64);
            double area = 0;
            for (int i = 0; i < big.pixels().length; i += 3) {
                // Red channel: purple 0x96, yellow 0xF0, linear in coverage.
                area += ((big.pixels()[i] & 0xFF) - 0x96) / (double) (0xF0 - 0x96);
            }
            double expected = 0.36 * switch (shape) {
                case CIRCLE -> Math.PI / 4;
                case SQUARE -> 1.0;
                case TRIANGLE -> 0.5;
            };
            assertEquals(expected, area / (64 * 64), 0.005, shape.toString());
        }
    }

    @Test
    void scenesOutsideTheImageOrWithoutContrastAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(DemoShape.CIRCLE, DemoColour.RED, DemoColour.RED, 0.5, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new ShapeScene(DemoShape.CIRCLE, DemoColour.RED, DemoColour.BLUE, 0.2, 0.5, 0.5));
    }

    private static int pixel(DemoColour c) {
        return c.rgb();
    }

    private static int pixelAt(RgbImage image, int x, int y) {
        int at = (y * image.width() + x) * 3;
        byte[] p = image.pixels();
        return (p[at] & 0xFF) << 16 | (p[at + 1] & 0xFF) << 8 | p[at + 2] & 0xFF;
    }
}
