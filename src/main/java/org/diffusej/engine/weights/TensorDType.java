package org.diffusej.engine.weights;

import ai.djl.ndarray.types.DataType;

/** The element types a safetensors header may name, with their sizes and the DJL type they load as. */
public enum TensorDType {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /** Loaded as FLOAT32: creating bf16 arrays through DJL aborts the JVM (see DESIGN.md). */
    BF16(2, DataType.FLOAT32),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType loadedAs;

    TensorDType(int bytes, DataType loadedAs) {
        this.bytes = bytes;
        this.loadedAs = loadedAs;
    }

    /** Bytes per element in the file. */
    public int bytes() { return bytes; }

    /** The DJL type {@link SafetensorsFile#load} returns for this dtype. */
    public DataType loadedAs() { return loadedAs; }

    /** The dtype for a header name, or null if unknown. */
    public static TensorDType fromHeader(String name) {
        for (TensorDType t : values()) if (t.name().equals(name)) return t;
        return null;
    }
}
