package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.types.Shape;

/** A prefix in the state-dict key space ("down_blocks.0.resnets.1"); blocks declare their weights through it. */
public final class Scope {
    private final Parameters parameters;
    private final String prefix;

    Scope(Parameters parameters, String prefix) {
        this.parameters = parameters;
        this.prefix = prefix;
    }

    public Scope child(String name) {
        return new Scope(parameters, key(name));
    }

    public Scope child(int index) {
        return child(Integer.toString(index));
    }

    public Parameter declare(String name, long... shape) {
        return parameters.declare(key(name), new Shape(shape));
    }

    public String prefix() {
        return prefix;
    }

    private String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
