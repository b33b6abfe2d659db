package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Set;

/**
 * A named set of tensors (a state dict) that can be read lazily: one safetensors file, a sharded set, or a
 * key-mapped view of a single-file checkpoint. Keys are diffusers state-dict keys once mapping is applied.
 */
public interface TensorSource extends AutoCloseable {

    Set<String> keys();

    TensorInfo info(String key);

    /** Reads one tensor into {@code manager}, converted to {@code dtype} (BF16 is widened in Java first). */
    NDArray load(String key, NDManager manager, DataType dtype);

    /** Human-readable origin for error messages, e.g. the file path. */
    String describe();

    @Override
    void close();
}
