package dev.ldmforge.runtime.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Renames the keys under one prefix of an original checkpoint ({@code model.diffusion_model.}, ...) to diffusers
 * keys. It is told module by module (original module path -> diffusers module path, plus renames of the parameters
 * inside), derived by the caller from the component's config; every key under the prefix must fall in a declared
 * module or be declared ignorable, anything else is an error naming the keys.
 */
final class OriginalKeyMapper {

    /** How a module's tensors change on the way: kept, 1x1 convs squeezed to matrices, or matrices transposed. */
    private enum Layout { SAME, SQUEEZE_1X1, TRANSPOSE }

    private record Module(String target, Map<String, List<String>> renames, Layout layout) {
    }

    private final String root;
    private final Map<String, Module> modules = new HashMap<>();
    private final List<Predicate<String>> ignored = new ArrayList<>();

    OriginalKeyMapper(String root) {
        this.root = root;
    }

    /** A module whose parameters keep their names. */
    OriginalKeyMapper module(String original, String target) {
        return module(original, target, Map.of());
    }

    /**
     * A module whose parameter paths are renamed: the longest matching prefix of the path inside the module is
     * replaced; a rename to several names splits the tensor into that many equal chunks along dimension 0.
     */
    OriginalKeyMapper module(String original, String target, Map<String, List<String>> renames) {
        return put(original, new Module(target, renames, Layout.SAME));
    }

    /** Like {@link #module(String, String, Map)}, and 1x1-conv weights [C,C,1,1] / biases [C,1,1] lose the 1s. */
    OriginalKeyMapper conv1x1AsLinear(String original, String target, Map<String, List<String>> renames) {
        return put(original, new Module(target, renames, Layout.SQUEEZE_1X1));
    }

    /** One matrix stored transposed (OpenCLIP's {@code x @ text_projection} is a linear weight's transpose). */
    OriginalKeyMapper transposed(String original, String target) {
        return put(original, new Module(target, Map.of(), Layout.TRANSPOSE));
    }

    private OriginalKeyMapper put(String original, Module module) {
        if (modules.putIfAbsent(original, module) != null) {
            throw new IllegalStateException("module declared twice: " + root + original);
        }
        return this;
    }

    /** Keys (path after the root) that are known and not needed, e.g. OpenCLIP's text_projection. */
    OriginalKeyMapper ignore(Predicate<String> path) {
        ignored.add(path);
        return this;
    }

    String root() {
        return root;
    }

    /** Diffusers key -> where its data lies, for every original key under the root. */
    Map<String, MappedTensor> map(Map<String, TensorInfo> originals, String what) {
        Map<String, MappedTensor> out = new LinkedHashMap<>();
        TreeSet<String> unmapped = new TreeSet<>();
        for (TensorInfo info : originals.values()) {
            if (!info.key().startsWith(root)) {
                continue;
            }
            String path = info.key().substring(root.length());
            if (ignored.stream().anyMatch(p -> p.test(path))) {
                continue;
            }
            String modulePath = longestPrefix(path, modules);
            if (modulePath == null) {
                unmapped.add(info.key());
                continue;
            }
            Module module = modules.get(modulePath);
            String inner = path.length() == modulePath.length() ? "" : path.substring(modulePath.length() + 1);
            String renamed = longestPrefix(inner, module.renames());
            List<String> targets = renamed == null ? List.of(inner) : module.renames().get(renamed).stream()
                    .map(t -> t + inner.substring(renamed.length())).toList();
            for (int part = 0; part < targets.size(); part++) {
                String key = targets.get(part).isEmpty() ? module.target() : module.target() + "." + targets.get(part);
                long[] shape = shape(info, targets.size(), module.layout(), what);
                MappedTensor mapped = new MappedTensor(info.key(), new TensorInfo(key, info.dtype(), shape), part,
                        targets.size(), module.layout() == Layout.TRANSPOSE);
                MappedTensor clash = out.putIfAbsent(key, mapped);
                if (clash != null) {
                    throw new WeightsException(what + ": keys " + clash.sourceKey() + " and " + info.key()
                            + " both map to " + key);
                }
            }
        }
        if (!unmapped.isEmpty()) {
            List<String> list = new ArrayList<>(unmapped);
            throw new WeightsException(what + ": " + list.size() + " key(s) under " + root + " do not fit the "
                    + "architecture of the config: " + String.join(", ", list.subList(0, Math.min(20, list.size())))
                    + (list.size() > 20 ? ", ..." : ""));
        }
        return out;
    }

    private static long[] shape(TensorInfo info, int parts, Layout layout, String what) {
        long[] shape = info.shape().clone();
        if (parts > 1) {
            if (shape.length == 0 || shape[0] % parts != 0) {
                throw new WeightsException(what + ": tensor " + info.key() + " " + Arrays.toString(shape)
                        + " cannot be split into " + parts + " equal parts");
            }
            shape[0] /= parts;
        }
        if (layout == Layout.TRANSPOSE) {
            if (shape.length != 2) {
                throw new WeightsException(what + ": tensor " + info.key() + " " + Arrays.toString(shape)
                        + " should be a matrix");
            }
            shape = new long[] {shape[1], shape[0]};
        }
        if (layout == Layout.SQUEEZE_1X1) {
            int keep = shape.length;
            while (keep > 1 && keep > (info.key().endsWith(".bias") ? 1 : 2) && shape[keep - 1] == 1) {
                keep--;
            }
            shape = Arrays.copyOf(shape, keep);
        }
        return shape;
    }

    /** The longest of {@code path} itself and its dot-separated prefixes that is a key of {@code map}. */
    private static String longestPrefix(String path, Map<String, ?> map) {
        for (int end = path.length(); end > 0; end = path.lastIndexOf('.', end - 1)) {
            String candidate = path.substring(0, end);
            if (map.containsKey(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
