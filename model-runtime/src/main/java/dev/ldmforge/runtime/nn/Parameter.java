package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** One declared weight: its full state-dict key, its expected shape and, once loaded, its value. */
public final class Parameter {
    private final String key;
    private final Shape shape;
    private NDArray array;

    Parameter(String key, Shape shape) {
        this.key = key;
        this.shape = shape;
    }

    public String key() {
        return key;
    }

    public Shape shape() {
        return shape;
    }

    public boolean isLoaded() {
        return array != null;
    }

    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter " + key + " has not been loaded");
        }
        return array;
    }

    void set(NDArray value) {
        if (array != null) {
            array.close();
        }
        array = value;
    }
}
