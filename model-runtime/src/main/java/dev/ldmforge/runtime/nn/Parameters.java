package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.weights.TensorInfo;
import dev.ldmforge.runtime.weights.TensorSource;
import dev.ldmforge.runtime.weights.WeightsException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Every parameter one network declares, by diffusers state-dict key. Networks declare their weights while they are
 * built from a config (so a config alone gives the exact key list and parameter count), then {@link #load} fills
 * them from a {@link TensorSource}, failing on any missing, unexpected or mis-shaped key.
 */
public final class Parameters {
    private final Map<String, Parameter> byKey = new LinkedHashMap<>();

    /** The scope whose children are the network's top-level modules. */
    public Scope root() {
        return new Scope(this, "");
    }

    Parameter declare(String key, Shape shape) {
        Parameter p = new Parameter(key, shape);
        if (byKey.putIfAbsent(key, p) != null) {
            throw new IllegalStateException("parameter declared twice: " + key);
        }
        return p;
    }

    public Collection<Parameter> all() {
        return Collections.unmodifiableCollection(byKey.values());
    }

    public Parameter get(String key) {
        return byKey.get(key);
    }

    public long count() {
        long n = 0;
        for (Parameter p : byKey.values()) {
            n += p.shape().size();
        }
        return n;
    }

    /**
     * Loads every declared parameter from {@code source}. Keys matching {@code ignorable} (buffers such as
     * {@code position_ids}) may be present or absent; anything else that does not match is an error listing all of
     * the problems by name.
     */
    public void load(TensorSource source, NDManager manager, DataType dtype, Predicate<String> ignorable) {
        Set<String> available = source.keys();
        List<String> problems = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        for (String key : byKey.keySet()) {
            if (!available.contains(key)) {
                missing.add(key);
            }
        }
        Set<String> unexpected = new TreeSet<>();
        for (String key : available) {
            if (!byKey.containsKey(key) && !ignorable.test(key)) {
                unexpected.add(key);
            }
        }
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " missing key(s): " + abbreviate(missing));
        }
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected key(s): " + abbreviate(unexpected));
        }
        for (Parameter p : byKey.values()) {
            if (available.contains(p.key())) {
                TensorInfo info = source.info(p.key());
                if (!Arrays.equals(info.shape(), p.shape().getShape())) {
                    problems.add("shape mismatch for " + p.key() + ": file has " + Arrays.toString(info.shape())
                            + ", config expects " + p.shape());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsException(source.describe() + ": weights do not match the model config: "
                    + String.join("; ", problems));
        }
        for (Parameter p : byKey.values()) {
            p.set(source.load(p.key(), manager, dtype));
        }
    }

    /**
     * Feeds every loaded parameter (key, shape, dtype and value bytes, in declaration order) to {@code digest}:
     * the weights hash recorded with every image.
     */
    public void digest(java.security.MessageDigest digest) {
        for (Parameter p : byKey.values()) {
            NDArray a = p.array();
            digest.update((p.key() + " " + a.getDataType() + " " + p.shape() + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(a.toByteBuffer());
        }
    }

    /** Fills every parameter with deterministic values, for config-only builds and the built-in tiny model. */
    public void initRandom(NDManager manager, DataType dtype, long seed, Initializer init) {
        long i = 0;
        for (Parameter p : byKey.values()) {
            NDArray value = init.create(p, manager, seed + 1_000_003L * i++);
            if (value.getDataType() != dtype) {
                try (NDArray original = value) {
                    value = original.toType(dtype, false);
                }
            }
            p.set(value);
        }
    }

    /** How {@link #initRandom} fills one parameter. */
    @FunctionalInterface
    public interface Initializer {
        NDArray create(Parameter p, NDManager manager, long seed);

        /**
         * PyTorch-like defaults from a Java generator (reproducible on every machine): matrices and kernels uniform in
         * ±1/sqrt(fan_in), one-dimensional weights (norm scales) 1, biases 0.
         */
        static Initializer pytorchLike() {
            return (p, manager, seed) -> {
                long[] shape = p.shape().getShape();
                float[] values = new float[Math.toIntExact(p.shape().size())];
                if (shape.length >= 2) {
                    long fanIn = p.shape().size() / shape[0];
                    double bound = 1.0 / Math.sqrt(fanIn);
                    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                    }
                } else if (p.key().endsWith(".weight")) {
                    java.util.Arrays.fill(values, 1f);
                }
                return manager.create(values, p.shape());
            };
        }
    }

    private static String abbreviate(Set<String> keys) {
        List<String> list = new ArrayList<>(keys);
        if (list.size() <= 20) {
            return String.join(", ", list);
        }
        return String.join(", ", list.subList(0, 20)) + ", ... (" + (list.size() - 20) + " more)";
    }
}
