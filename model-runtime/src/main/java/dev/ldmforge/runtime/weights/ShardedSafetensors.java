package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weights split over several safetensors files, described by a {@code *.safetensors.index.json} whose
 * {@code weight_map} names the shard of every tensor. Validated on open: every shard is a plain file name in the
 * index's folder and exists, every mapped tensor is in its shard, and no shard holds a tensor the index omits.
 */
public final class ShardedSafetensors implements TensorSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf;
    private final List<SafetensorsFile> shards;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shardOf, List<SafetensorsFile> shards) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
    }

    public static ShardedSafetensors open(Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile shard = byName.get(e.getValue());
                if (shard == null) {
                    shard = SafetensorsFile.open(shardPath(index, e.getValue()));
                    byName.put(e.getValue(), shard);
                }
                if (!shard.keys().contains(e.getKey())) {
                    throw new WeightsException(index + ": weight_map puts tensor " + e.getKey() + " in "
                            + e.getValue() + ", which does not hold it");
                }
                shardOf.put(e.getKey(), shard);
            }
            for (Map.Entry<String, SafetensorsFile> s : byName.entrySet()) {
                for (String key : s.getValue().keys()) {
                    if (shardOf.get(key) != s.getValue()) {
                        throw new WeightsException(index + ": shard " + s.getKey() + " holds tensor " + key
                                + ", which the weight_map " + (weightMap.containsKey(key) ? "puts in "
                                + weightMap.get(key) : "does not list"));
                    }
                }
            }
            return new ShardedSafetensors(index, shardOf, new ArrayList<>(byName.values()));
        } catch (RuntimeException e) {
            byName.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new WeightsException(index + ": not a readable JSON index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new WeightsException(index + ": needs a non-empty weight_map object {tensor: shard file}");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new WeightsException(index + ": weight_map entry " + e.getKey() + " is " + e.getValue()
                        + ", expected a shard file name");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The distinct shard files an index names, each checked to be a plain safetensors file name beside it. */
    public static Set<String> shardNames(Path index) {
        Set<String> names = new LinkedHashSet<>(readWeightMap(index).values());
        names.forEach(name -> checkShardName(index, name));
        return names;
    }

    /** Shards must sit beside the index: a path in the index may not reach elsewhere. */
    private static void checkShardName(Path index, String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..")) {
            throw new WeightsException(index + ": shard name " + name + " is not a plain file name");
        }
        if (PickledWeights.isPickleName(Path.of(name))) {
            throw new WeightsException(index + ": shard " + name + ": " + PickledWeights.WHY);
        }
    }

    private static Path shardPath(Path index, String name) {
        checkShardName(index, name);
        Path shard = index.resolveSibling(name);
        if (!Files.isRegularFile(shard)) {
            throw new WeightsException(index + ": shard " + name + " does not exist");
        }
        return shard;
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(shardOf.keySet());
    }

    @Override
    public TensorInfo info(String key) {
        return shard(key).info(key);
    }

    @Override
    public NDArray load(String key, NDManager manager, DataType dtype) {
        return shard(key).load(key, manager, dtype);
    }

    private SafetensorsFile shard(String key) {
        SafetensorsFile shard = shardOf.get(key);
        if (shard == null) {
            throw new WeightsException(index + ": no tensor named " + key);
        }
        return shard;
    }

    @Override
    public String describe() {
        return index.toString();
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
