package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    /** Writes the 8-byte length, the header text and then {@code data} bytes, exactly as given. */
    static Path raw(Path file, long headerLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLength).put(json);
        Files.write(file, buf.array());
        return file;
    }

    static Path raw(Path file, String header, int dataBytes) throws IOException {
        return raw(file, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private WeightsException refused(Path file, String... expectedInMessage) {
        WeightsException e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        for (String s : expectedInMessage) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
        return e;
    }

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";

    @Test
    void validFileOpens() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(raw(dir.resolve("ok.safetensors"), ONE, 16))) {
            assertEquals(List.of("a"), List.copyOf(f.keys()));
            assertArrayEquals(new long[]{4}, f.info("a").shape());
        }
    }

    @Test
    void truncatedFile() throws IOException {
        refused(raw(dir.resolve("truncated.safetensors"), ONE, 10), "tensor a", "outside the data section");
    }

    @Test
    void fileShorterThanLengthPrefix() throws IOException {
        Path f = dir.resolve("tiny.safetensors");
        Files.write(f, new byte[]{1, 2, 3});
        refused(f, "shorter than the 8-byte header length");
    }

    @Test
    void headerLongerThanFile() throws IOException {
        refused(raw(dir.resolve("long-header.safetensors"), 4000, ONE, 16), "runs past the end of the file");
    }

    @Test
    void bogusHugeHeaderLengthIsRefusedBeforeAllocating() throws IOException {
        refused(raw(dir.resolve("huge.safetensors"), 1L << 60, ONE, 16), "header length 1152921504606846976");
        refused(raw(dir.resolve("negative.safetensors"), -8, ONE, 16), "is outside [2,");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        refused(raw(dir.resolve("overlap.safetensors"), h, 24), "tensor b", "overlapping offsets");
    }

    @Test
    void gapBetweenTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[20,36]}}";
        refused(raw(dir.resolve("gap.safetensors"), h, 36), "tensor b", "gap between tensors");
    }

    @Test
    void wrongDtypeSize() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        refused(raw(dir.resolve("dtype-size.safetensors"), h, 8), "tensor a", "needs 16 bytes but data_offsets span 8");
    }

    @Test
    void trailingGarbage() throws IOException {
        refused(raw(dir.resolve("trailing.safetensors"), ONE, 20), "trailing bytes");
        refused(raw(dir.resolve("trailing-json.safetensors"), ONE + " {}", 16), "not well-formed JSON");
    }

    @Test
    void nonJsonHeader() throws IOException {
        refused(raw(dir.resolve("not-json.safetensors"), "{\"a\": [1, 2", 0), "not well-formed JSON");
        refused(raw(dir.resolve("array.safetensors"), "[1, 2]", 0), "not a JSON object");
        refused(raw(dir.resolve("duplicate.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],"
                + "\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0),
                "not well-formed JSON", "Duplicate field 'a'");
    }

    @Test
    void unknownDtype() throws IOException {
        String h = "{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        refused(raw(dir.resolve("dtype.safetensors"), h, 16), "tensor a", "unsupported dtype \"Q4\"");
    }

    @Test
    void shapeClaimingMoreElementsThanTheFile() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,16]}}";
        refused(raw(dir.resolve("shape.safetensors"), h, 16), "tensor a", "claims more elements than the file holds");
    }

    @Test
    void malformedEntries() throws IOException {
        refused(raw(dir.resolve("no-offsets.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[4]}}", 16),
                "tensor a", "data_offsets");
        refused(raw(dir.resolve("neg-shape.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16), "tensor a", "bad shape");
        refused(raw(dir.resolve("float-shape.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4.5],\"data_offsets\":[0,16]}}", 16), "tensor a", "bad shape");
        refused(raw(dir.resolve("float-offsets.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16.0]}}", 16), "tensor a",
                "are not integers");
    }

    @Test
    void bf16IsWidenedToExactFloat32() {
        short[] bits = {0x3f80, (short) 0xc020, 0x4049, 0x3a83, 0x7f80, (short) 0x8000, 0x0001, 0x4780};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            data.putShort(b);
        }
        Path file = dir.resolve("bf16.safetensors");
        new SafetensorsWriter().add("w", StoredDtype.BF16, new long[]{2, 4}, data.flip()).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = manager.newSubManager()) {
            assertEquals(StoredDtype.BF16, f.info("w").dtype());
            NDArray a = f.load("w", m, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertEquals(new Shape(2, 4), a.getShape());
            float[] got = a.toFloatArray();
            for (int i = 0; i < bits.length; i++) {
                assertEquals(Float.intBitsToFloat((bits[i] & 0xffff) << 16), got[i], 0.0f, "element " + i);
            }
            assertEquals(3.140625f, got[2]);
            assertEquals(Float.POSITIVE_INFINITY, got[4]);
            assertEquals(DataType.FLOAT16, f.load("w", m, DataType.FLOAT16).getDataType());
            assertThrows(WeightsException.class, () -> f.load("w", m, DataType.BFLOAT16));
        }
    }

    @Test
    void f16AndF32ConvertOnRequest() {
        Path file = dir.resolve("mixed.safetensors");
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[]{0.5f, -1.25f, 3f, 65504f}, new Shape(2, 2));
            new SafetensorsWriter().add("f32", x).add("f16", x.toType(DataType.FLOAT16, false)).write(file);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertEquals(StoredDtype.F16, f.info("f16").dtype());
                assertArrayEquals(x.toFloatArray(), f.load("f16", m, DataType.FLOAT32).toFloatArray());
                NDArray half = f.load("f32", m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, half.getDataType());
                assertArrayEquals(x.toFloatArray(), half.toType(DataType.FLOAT32, false).toFloatArray());
                NDArray kept = f.load("f16", m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, kept.getDataType());
            }
        }
    }

    /**
     * DJL's create(directBuffer) aliases the buffer (torch::from_blob): an array made straight from the mapping sees
     * the file change under it. SafetensorsFile.load copies, so its arrays do not, and outlive the closed file.
     */
    @Test
    void loadedArraysAreCopiesNotViewsOfTheMapping() throws IOException {
        Path file = dir.resolve("alias.safetensors");
        try (NDManager m = manager.newSubManager()) {
            new SafetensorsWriter().add("a", m.create(new float[]{1, 2, 3, 4})).write(file);
            NDArray loaded;
            NDArray aliased;
            long dataStart;
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                loaded = f.load("a", m, DataType.FLOAT32);
                aliased = m.create(f.bytes("a"), new Shape(4), DataType.FLOAT32);
                dataStart = Files.size(file) - 16;
            }
            ByteBuffer changed = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : new float[]{9, 9, 9, 9}) {
                changed.putFloat(v);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(changed.flip(), dataStart);
            }
            assertArrayEquals(new float[]{9, 9, 9, 9}, aliased.toFloatArray(), "DJL aliases the mapped buffer");
            assertArrayEquals(new float[]{1, 2, 3, 4}, loaded.toFloatArray(), "load() must copy");
        }
    }

    @Test
    void writerRoundTrip() throws IOException {
        Path file = dir.resolve("round.safetensors");
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.randomNormal(new Shape(3, 5));
            NDArray ids = m.arange(0L, 7L, 1L, DataType.INT64);
            new SafetensorsWriter().metadata("format", "pt").add("z.weight", w).add("a.ids", ids)
                    .add("empty", m.zeros(new Shape(0, 3))).write(file);
            long headerLength = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "header padded to 8 bytes");
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertEquals(List.of("z.weight", "a.ids", "empty"), List.copyOf(f.keys()));
                assertEquals("pt", f.metadata().get("format"));
                assertArrayEquals(w.toFloatArray(), f.load("z.weight", m, DataType.FLOAT32).toFloatArray());
                assertArrayEquals(ids.toLongArray(), f.load("a.ids", m, DataType.INT64).toLongArray());
                assertEquals(new Shape(0, 3), f.load("empty", m, DataType.FLOAT32).getShape());
            }
        }
        assertTrue(Files.notExists(dir.resolve("round.safetensors.partial")));
    }
}
