package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a {@code .safetensors} file: tensors are declared first (name, dtype, shape and a source of bytes), then
 * {@link #write} lays out the header and streams each tensor's bytes in declaration order, fetching one tensor at a
 * time so that writing a model never holds a second copy of it. The file appears atomically (written beside the
 * target, then moved).
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(StoredDtype dtype, long[] shape, Supplier<ByteBuffer> bytes) {
    }

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an array in its own type (convert first, e.g. {@code toType(FLOAT16)}, for an fp16 file). */
    public SafetensorsWriter add(String key, NDArray array) {
        StoredDtype dtype = storedDtype(key, array.getDataType());
        return add(key, dtype, array.getShape().getShape(), array::toByteBuffer);
    }

    /** Adds raw little-endian bytes, e.g. BF16 values, which no NDArray can hold. */
    public SafetensorsWriter add(String key, StoredDtype dtype, long[] shape, ByteBuffer littleEndianBytes) {
        return add(key, dtype, shape, () -> littleEndianBytes.duplicate());
    }

    private SafetensorsWriter add(String key, StoredDtype dtype, long[] shape, Supplier<ByteBuffer> bytes) {
        if (key.equals("__metadata__") || tensors.putIfAbsent(key, new Pending(dtype, shape.clone(), bytes)) != null) {
            throw new IllegalArgumentException("tensor name used twice or reserved: " + key);
        }
        return this;
    }

    public void write(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(out, headerBytes());
            for (Map.Entry<String, Pending> e : tensors.entrySet()) {
                Pending p = e.getValue();
                ByteBuffer data = p.bytes().get();
                long expected = new TensorInfo(e.getKey(), p.dtype(), p.shape()).byteLength();
                if (data.remaining() != expected) {
                    throw new WeightsException(file + ": tensor " + e.getKey() + ": " + data.remaining()
                            + " bytes given, shape " + Arrays.toString(p.shape()) + " x " + p.dtype() + " needs "
                            + expected);
                }
                writeAll(out, data);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof WeightsException we) {
                throw we;
            }
            throw new WeightsException(file + ": cannot write: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot move the written file into place: " + e.getMessage(), e);
        }
    }

    /** Length prefix + JSON header, padded with spaces to 8 bytes so the tensor data stays aligned. */
    private ByteBuffer headerBytes() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            Pending p = e.getValue();
            long length = new TensorInfo(e.getKey(), p.dtype(), p.shape()).byteLength();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", p.dtype().name());
            Arrays.stream(p.shape()).forEach(entry.putArray("shape")::add);
            entry.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(json);
        while (buf.hasRemaining()) {
            buf.put((byte) ' ');
        }
        return buf.flip();
    }

    private static void writeAll(FileChannel out, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            out.write(data);
        }
    }

    private static StoredDtype storedDtype(String key, DataType type) {
        return switch (type) {
            case FLOAT32 -> StoredDtype.F32;
            case FLOAT16 -> StoredDtype.F16;
            case FLOAT64 -> StoredDtype.F64;
            case INT64 -> StoredDtype.I64;
            case INT32 -> StoredDtype.I32;
            case INT8 -> StoredDtype.I8;
            case UINT8 -> StoredDtype.U8;
            case BOOLEAN -> StoredDtype.BOOL;
            default -> throw new WeightsException("tensor " + key + ": cannot store data type " + type);
        };
    }
}
