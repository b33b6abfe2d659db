package dev.ldmforge.runtime.weights;

/** Element types a weights file may store, with their safetensors names and widths. */
public enum StoredDtype {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    StoredDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public static StoredDtype parse(String name) {
        for (StoredDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
