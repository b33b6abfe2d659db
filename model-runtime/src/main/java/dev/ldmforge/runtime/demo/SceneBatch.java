package dev.ldmforge.runtime.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.pipeline.RgbImage;

import java.util.ArrayList;
import java.util.List;

/** A training batch of generated scenes: scene {@code i} of step {@code s} is {@code scene(seed, s·size + i)}. */
record SceneBatch(List<ShapeScene> scenes) {

    static SceneBatch of(long seed, long step, int size) {
        List<ShapeScene> scenes = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            scenes.add(ShapeScenes.scene(seed, step * size + i));
        }
        return new SceneBatch(scenes);
    }

    /** The rendered pictures as the VAE takes them: [B, 3, S, S] in [-1, 1]. */
    NDArray images(NDManager manager) {
        int s = DemoModelConfigs.IMAGE_SIZE;
        int plane = s * s;
        float[] values = new float[scenes.size() * 3 * plane];
        for (int b = 0; b < scenes.size(); b++) {
            RgbImage image = scenes.get(b).render(s);
            byte[] px = image.pixels();
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < 3; c++) {
                    values[(b * 3 + c) * plane + p] = (px[p * 3 + c] & 0xff) / 127.5f - 1f;
                }
            }
        }
        return manager.create(values, new Shape(scenes.size(), 3, s, s));
    }
}
