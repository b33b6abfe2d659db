package dev.ldmforge.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format for float32, float64 and int64 arrays in C order, little-endian (what
 * {@code np.save} writes on every common machine). Anything else is refused with a message naming the source.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Header lengths above this are not written by numpy for any sane shape; larger means a corrupt file. */
    private static final int MAX_HEADER = 1 << 20;

    private Npy() {
    }

    public static NDArray read(Path file, NDManager manager) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), manager);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads one array from {@code in} (a file or an {@code .npz} entry); {@code source} names it in errors. */
    public static NDArray read(InputStream in, String source, NDManager manager) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8 || !Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
            throw new NpyFormatException(source + ": not a .npy array (magic bytes missing)");
        }
        int major = prefix[6];
        int headerLength;
        if (major == 1) {
            byte[] len = in.readNBytes(2);
            headerLength = len.length < 2 ? -1 : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        } else if (major == 2 || major == 3) {
            byte[] len = in.readNBytes(4);
            headerLength = len.length < 4 ? -1 : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new NpyFormatException(source + ": unsupported .npy format version " + major + "." + prefix[7]);
        }
        if (headerLength < 0 || headerLength > MAX_HEADER) {
            throw new NpyFormatException(source + ": truncated or invalid .npy header length " + headerLength);
        }
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerBytes.length < headerLength) {
            throw new NpyFormatException(source + ": truncated .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DataType dtype = dtype(field(DESCR, header, "descr", source), source);
        if (!"False".equals(field(FORTRAN, header, "fortran_order", source))) {
            throw new NpyFormatException(source + ": Fortran-ordered arrays are not supported (save with C order)");
        }
        Shape shape = shape(field(SHAPE, header, "shape", source), source);
        long bytes = shape.size() * dtype.getNumOfBytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException(source + ": array of shape " + shape + " is too large");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new NpyFormatException(source + ": truncated data: shape " + shape + " " + dtype + " needs " + bytes
                    + " bytes, found " + data.length);
        }
        if (in.read() != -1) {
            throw new NpyFormatException(source + ": trailing bytes after the data of shape " + shape);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
        copy(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), buffer, dtype);
        return manager.create(buffer.rewind(), shape, dtype);
    }

    public static void write(Path file, NDArray array) {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    public static void write(OutputStream out, NDArray array) throws IOException {
        DataType dtype = array.getDataType();
        String descr = switch (dtype) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT64 -> "<i8";
            default -> throw new IllegalArgumentException("cannot write " + dtype + " as .npy (float32, float64, int64)");
        };
        long[] dims = array.getShape().getShape();
        StringBuilder shape = new StringBuilder();
        for (long d : dims) {
            shape.append(d).append(", ");
        }
        if (dims.length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (dims.length == 1) {
            shape.setLength(shape.length() - 1);
        }
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': ("
                + shape + "), }");
        // numpy pads the header with spaces so that the data starts on a 64-byte boundary, ending in '\n'
        while ((MAGIC.length + 4 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(new byte[] {1, 0, (byte) (header.length() & 0xff), (byte) (header.length() >>> 8)});
        head.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(head.toByteArray());
        ByteBuffer raw = array.toByteBuffer();
        ByteBuffer little = ByteBuffer.allocate(raw.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy(raw, little, dtype);
        out.write(little.array());
    }

    private static void copy(ByteBuffer from, ByteBuffer to, DataType dtype) {
        switch (dtype) {
            case FLOAT32 -> to.asFloatBuffer().put(from.asFloatBuffer());
            case FLOAT64 -> to.asDoubleBuffer().put(from.asDoubleBuffer());
            case INT64 -> to.asLongBuffer().put(from.asLongBuffer());
            default -> throw new IllegalStateException(dtype.toString());
        }
    }

    private static String field(Pattern pattern, String header, String name, String source) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new NpyFormatException(source + ": .npy header has no valid '" + name + "': " + header.trim());
        }
        return m.group(1);
    }

    private static DataType dtype(String descr, String source) {
        return switch (descr) {
            case "<f4" -> DataType.FLOAT32;
            case "<f8" -> DataType.FLOAT64;
            case "<i8" -> DataType.INT64;
            default -> throw new NpyFormatException(source + ": unsupported .npy dtype '" + descr
                    + "' (supported: <f4 float32, <f8 float64, <i8 int64, little-endian)");
        };
    }

    private static Shape shape(String tuple, String source) {
        String[] parts = tuple.split(",");
        long[] dims = new long[parts.length];
        int n = 0;
        for (String part : parts) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims[n] = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new NpyFormatException(source + ": invalid .npy shape (" + tuple + ")");
            }
            if (dims[n++] < 0) {
                throw new NpyFormatException(source + ": negative dimension in .npy shape (" + tuple + ")");
            }
        }
        return new Shape(Arrays.copyOf(dims, n));
    }
}
