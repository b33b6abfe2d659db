package dev.ldmforge.runtime.training;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Runs in-place parameter updates with autograd off. libtorch's grad mode is per thread and on by default: DJL turns
 * it off only on the thread that started the engine, so on any other thread (a CLI worker, a Spark task) an update of
 * a parameter that requires gradients would be refused as an in-place operation on a leaf.
 */
final class NoGradient {
    private NoGradient() {
    }

    static void run(Runnable update) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            update.run();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
