package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * One component of an original single-file checkpoint under diffusers keys. Renames, squeezes and q/k/v splits
 * happen on load by reading just the needed bytes of the original tensor; transposed matrices are copied. The file belongs to the
 * {@link SingleFileCheckpoint}: closing this view leaves it open for the other components.
 */
final class MappedTensorSource implements TensorSource {

    private final SafetensorsFile file;
    private final Map<String, MappedTensor> tensors;
    private final String description;

    MappedTensorSource(SafetensorsFile file, Map<String, MappedTensor> tensors, String description) {
        this.file = file;
        this.tensors = tensors;
        this.description = description;
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public TensorInfo info(String key) {
        return mapped(key).info();
    }

    @Override
    public NDArray load(String key, NDManager manager, DataType dtype) {
        MappedTensor m = mapped(key);
        if (m.transposed()) {
            return transposed(m, manager, dtype);
        }
        return file.loadPart(m.sourceKey(), m.part(), m.parts(), m.info(), manager, dtype);
    }

    /** A stored [rows, cols] matrix as a contiguous [cols, rows] one (copied in Java: no strided views). */
    private NDArray transposed(MappedTensor m, NDManager manager, DataType dtype) {
        float[] stored;
        try (NDArray a = file.load(m.sourceKey(), manager, DataType.FLOAT32)) {
            stored = a.toFloatArray();
        }
        long[] shape = m.info().shape();
        int rows = (int) shape[1];
        int cols = (int) shape[0];
        float[] out = new float[stored.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = stored[r * cols + c];
            }
        }
        NDArray a = manager.create(out, new ai.djl.ndarray.types.Shape(shape));
        if (dtype == DataType.FLOAT32) {
            return a;
        }
        try (a) {
            return a.toType(dtype, false); // a real conversion: a copy (a same-dtype "copy" may alias a's memory)
        }
    }

    private MappedTensor mapped(String key) {
        MappedTensor m = tensors.get(key);
        if (m == null) {
            throw new WeightsException(description + ": no tensor named " + key);
        }
        return m;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        // the checkpoint owns the file
    }
}
