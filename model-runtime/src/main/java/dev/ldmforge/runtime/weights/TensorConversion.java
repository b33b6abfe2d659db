package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Stored bytes to an NDArray of the requested type. BF16 never reaches the engine: DJL 0.36 aborts on it. */
final class TensorConversion {

    private TensorConversion() {
    }

    static NDArray toNDArray(TensorInfo info, ByteBuffer bytes, NDManager manager, DataType target, String file) {
        if (target == DataType.BFLOAT16) {
            throw new WeightsException(file + ": tensor " + info.key() + ": bfloat16 arrays are not supported by "
                    + "the DJL PyTorch engine; load as float32 or float16");
        }
        Shape shape = new Shape(info.shape());
        StoredDtype stored = info.dtype();
        ByteBuffer data = bytes.order(ByteOrder.LITTLE_ENDIAN);
        DataType engineType = switch (stored) {
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
        NDArray array = manager.create(data, shape, engineType);
        if (engineType == target || !target.isFloating() && !target.isInteger()) {
            return array;
        }
        try (NDArray original = array) {
            return original.toType(target, false);
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
