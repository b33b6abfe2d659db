package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Stored bytes to an engine-owned NDArray of the requested type.
 *
 * <p>What DJL 0.36 does with a direct buffer (read in {@code PtNDManager.create(Buffer, Shape, DataType)},
 * {@code JniUtils.createNdFromByteBuffer} and the JNI {@code torchFromBlob}): it calls {@code torch::from_blob} on
 * the buffer address, so the tensor <em>references</em> the buffer, it does not copy it; the {@code PtNDArray} only
 * keeps a Java reference ({@code dataRef}) to stop the buffer being collected. For a memory-mapped file that would
 * tie the weights to a read-only mapping: an in-place op would crash the JVM, a view made by reshape/slice does not
 * carry {@code dataRef}, and the file's later changes would show through (SafetensorsFileTest demonstrates the
 * aliasing). {@code toType(sameType, true)} is no escape either: it calls {@code Tensor.to}, which returns an alias
 * when nothing changes. So every tensor is copied once into engine memory here ({@code duplicate} = clone, or the
 * type conversion itself) and the mapped view is closed at once: at most one tensor is held twice during a load,
 * never the whole model. BF16 never reaches the engine (DJL aborts on it): it is widened to float32 in Java.
 */
final class TensorConversion {

    private TensorConversion() {
    }

    static NDArray toNDArray(TensorInfo info, ByteBuffer bytes, NDManager manager, DataType target, String file) {
        if (target == DataType.BFLOAT16) {
            throw new WeightsException(file + ": tensor " + info.key() + ": bfloat16 arrays are not supported by "
                    + "the DJL PyTorch engine; load as float32 or float16");
        }
        Shape shape = new Shape(info.shape());
        ByteBuffer data = bytes.order(ByteOrder.LITTLE_ENDIAN);
        DataType engineType = switch (info.dtype()) {
            case F32 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            case F64 -> DataType.FLOAT64;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
            case I8 -> DataType.INT8;
            case U8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
            case BF16 -> {
                data = widenBf16(data);
                yield DataType.FLOAT32;
            }
            case I16 -> throw new WeightsException(file + ": tensor " + info.key() + ": dtype I16 is not supported");
        };
        boolean keepType = engineType == target || !target.isFloating() && !target.isInteger();
        try (NDArray view = manager.create(data, shape, engineType)) {
            return keepType ? view.duplicate() : view.toType(target, false);
        }
    }

    /** bfloat16 is the top half of a float32: shift each value into place. */
    static ByteBuffer widenBf16(ByteBuffer bf16) {
        int n = bf16.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int bits = (bf16.getShort(bf16.position() + 2 * i) & 0xffff) << 16;
            out.putInt(4 * i, bits);
        }
        return out;
    }
}
