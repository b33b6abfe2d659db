package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: the header is parsed and validated when opened, each tensor is memory-mapped and
 * read only when asked for. Layout: 8-byte little-endian header length, JSON header, then the tensor bytes.
 *
 * <p>Validation on open: bounded header length (checked before any allocation), well-formed JSON object without
 * duplicate names or trailing tokens, known dtypes, {@code shape x dtype size == byte length}, offsets inside the
 * file, tensors contiguous without overlap or gap, and no bytes after the last tensor. Loaded arrays are copies in
 * engine memory, never views of the mapping (see {@link TensorConversion} for what DJL does with mapped buffers).
 */
public final class SafetensorsFile implements TensorSource {

    /** Far above any real header (SD checkpoints have ~100 KB); a larger claim is a corrupt or hostile file. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Strict: duplicate tensor names and anything after the header object are corrupt files, not quirks. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private record Entry(TensorInfo info, long begin, long end) {
    }

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new WeightsException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw fail(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw fail(path, "header length " + Long.toUnsignedString(headerLen) + " is outside [2, "
                        + MAX_HEADER_BYTES + "]");
            }
            if (8 + headerLen > size) {
                throw fail(path, "header length " + headerLen + " runs past the end of the file (" + size
                        + " bytes): truncated file?");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (IOException e) {
                throw fail(path, "header is not well-formed JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) {
                throw fail(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseEntries(path, root, size - dataStart, metadata);
            return new SafetensorsFile(path, channel, dataStart, entries, metadata);
        } catch (RuntimeException | IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the original error matters more
            }
            if (e instanceof WeightsException we) {
                throw we;
            }
            throw new WeightsException(path + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Entry> parseEntries(Path path, JsonNode root, long dataLength,
                                                   Map<String, String> metadata) {
        List<Entry> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode node = field.getValue();
            if (key.equals("__metadata__")) {
                if (!node.isObject()) {
                    throw fail(path, "__metadata__ is not an object");
                }
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            list.add(parseEntry(path, key, node, dataLength));
        }
        list.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : list) {
            if (e.begin() != expected) {
                throw fail(path, "tensor " + e.info().key() + " starts at byte " + e.begin() + " but the previous "
                        + "tensor ends at " + expected + (e.begin() < expected ? " (overlapping offsets)"
                        : " (gap between tensors)"));
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw fail(path, "tensor data ends at byte " + expected + " but the data section holds " + dataLength
                    + " bytes" + (expected < dataLength ? " (trailing bytes)" : ""));
        }
        Map<String, Entry> byKey = new LinkedHashMap<>();
        for (Entry e : list) {
            byKey.put(e.info().key(), e);
        }
        return byKey;
    }

    private static Entry parseEntry(Path path, String key, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw fail(path, "tensor " + key + ": header entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        StoredDtype dtype = dtypeNode == null ? null : StoredDtype.parse(dtypeNode.asText());
        if (dtype == null) {
            throw fail(path, "tensor " + key + ": unsupported dtype " + dtypeNode);
        }
        JsonNode shapeNode = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (shapeNode == null || !shapeNode.isArray() || offsets == null || !offsets.isArray()
                || offsets.size() != 2) {
            throw fail(path, "tensor " + key + ": header entry needs shape [..] and data_offsets [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw fail(path, "tensor " + key + ": bad shape " + shapeNode);
            }
            shape[i] = d.asLong();
            numel = multiplyBounded(path, key, numel, shape[i], dataLength);
        }
        if (!isLong(offsets.get(0)) || !isLong(offsets.get(1))) {
            throw fail(path, "tensor " + key + ": data_offsets " + offsets + " are not integers");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw fail(path, "tensor " + key + ": data_offsets " + offsets + " are outside the data section of "
                    + dataLength + " bytes");
        }
        TensorInfo info = new TensorInfo(key, dtype, shape);
        long expectedBytes = numel * dtype.bytes();
        if (end - begin != expectedBytes) {
            throw fail(path, "tensor " + key + ": shape " + Arrays.toString(shape) + " x " + dtype + " ("
                    + dtype.bytes() + " bytes) needs " + expectedBytes + " bytes but data_offsets span "
                    + (end - begin));
        }
        return new Entry(info, begin, end);
    }

    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    private static long multiplyBounded(Path path, String key, long numel, long dim, long dataLength) {
        if (dim != 0 && numel > dataLength / dim) {
            throw fail(path, "tensor " + key + ": shape claims more elements than the file holds");
        }
        return numel * dim;
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static WeightsException fail(Path path, String message) {
        return new WeightsException(path + ": " + message);
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public TensorInfo info(String key) {
        return entry(key).info();
    }

    private Entry entry(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            throw fail(path, "no tensor named " + key);
        }
        return e;
    }

    /** The raw little-endian bytes of one tensor, mapped from the file (not copied). */
    public ByteBuffer bytes(String key) {
        Entry e = entry(key);
        return map(key, e.begin(), e.end() - e.begin());
    }

    private ByteBuffer map(String key, long begin, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new WeightsException(path + ": tensor " + key + ": cannot read: " + ex.getMessage(), ex);
        }
    }

    @Override
    public NDArray load(String key, NDManager manager, DataType dtype) {
        return copied(entry(key).info(), bytes(key), manager, dtype);
    }

    /** The tensor copied into engine memory; the mapping goes at once (see {@link MappedBuffers}). */
    private NDArray copied(TensorInfo info, ByteBuffer mapped, NDManager manager, DataType dtype) {
        try {
            return TensorConversion.toNDArray(info, mapped, manager, dtype, path.toString());
        } finally {
            MappedBuffers.unmap(mapped);
        }
    }

    /**
     * Loads part {@code part} of {@code parts} equal leading-dimension chunks of tensor {@code key}, viewed with
     * {@code view}'s shape (same element count as the chunk): how fused or 1x1-conv weights of original checkpoints
     * become diffusers tensors without reading the rest of the tensor.
     */
    NDArray loadPart(String key, int part, int parts, TensorInfo view, NDManager manager, DataType dtype) {
        Entry e = entry(key);
        long length = (e.end() - e.begin()) / parts;
        if (view.byteLength() != length || view.dtype() != e.info().dtype()) {
            throw fail(path, "tensor " + key + ": cannot view part " + part + "/" + parts + " as " + view);
        }
        return copied(view, map(key, e.begin() + part * length, length), manager, dtype);
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new WeightsException(path + ": close failed: " + e.getMessage(), e);
        }
    }
}
