package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Explicit attention softmax(q kᵀ / √d) v computed over slices of query rows, so that the score matrix never
 * exceeds {@code batch·heads·sliceRows·Lk} floats: the low-memory fallback when native SDPA is unavailable
 * (one 512² SD1.5 self-attention holds 2·8·4096·4096 scores = 1 GiB unsliced).
 */
public final class SlicedAttention {
    /** Score-matrix budget per slice used by {@link #apply(NDArray, NDArray, NDArray)}: 64 Mi floats = 256 MiB. */
    public static final long DEFAULT_SCORE_BUDGET = 64L << 20;

    private SlicedAttention() {
    }

    /** Attention with slices sized so one slice's scores stay within {@link #DEFAULT_SCORE_BUDGET}. */
    public static NDArray apply(NDArray q, NDArray k, NDArray v) {
        return apply(q, k, v, false);
    }

    /** {@link #apply(NDArray, NDArray, NDArray)}; {@code causal}: query i attends to keys 0..i only (Lq = Lk). */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, boolean causal) {
        long[] qs = q.getShape().getShape(); // [B, heads, Lq, d]
        long perRow = qs[0] * qs[1] * k.getShape().get(2);
        long rows = Math.max(1, DEFAULT_SCORE_BUDGET / Math.max(1, perRow));
        return apply(q, k, v, (int) Math.min(qs[2], rows), causal);
    }

    /**
     * Attention over slices of {@code sliceRows} query rows. q [B, heads, Lq, d], k and v [B, heads, Lk, d]
     * → [B, heads, Lq, d]; {@code sliceRows >= Lq} is plain explicit attention.
     */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, int sliceRows) {
        return apply(q, k, v, sliceRows, false);
    }

    /**
     * {@link #apply(NDArray, NDArray, NDArray, int)}; {@code causal}: query i attends to keys 0..i only, as
     * libtorch's {@code is_causal} (requires Lq = Lk).
     */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, int sliceRows, boolean causal) {
        if (sliceRows < 1) {
            throw new IllegalArgumentException("sliceRows must be positive: " + sliceRows);
        }
        long lq = q.getShape().get(2);
        if (causal && lq != k.getShape().get(2)) {
            throw new IllegalArgumentException("causal attention needs as many queries as keys: " + q.getShape()
                    + " vs " + k.getShape());
        }
        double scale = 1.0 / Math.sqrt(q.getShape().get(3));
        try (NDArray kt = k.transpose(0, 1, 3, 2)) { // [B, heads, d, Lk]
            if (sliceRows >= lq) {
                return attend(q, kt, v, scale, causal ? 0 : -1);
            }
            NDList slices = new NDList();
            try {
                for (long start = 0; start < lq; start += sliceRows) {
                    long end = Math.min(lq, start + sliceRows);
                    try (NDScope scope = new NDScope()) {
                        NDArray slice = attend(q.get(new NDIndex(":, :, {}:{}", start, end)), kt, v, scale,
                                causal ? start : -1);
                        NDScope.unregister(slice);
                        slices.add(slice);
                    }
                }
                return NDArrays.concat(slices, 2);
            } finally {
                slices.close();
            }
        }
    }

    /** One slice of query rows; {@code firstRow} ≥ 0: causal, the slice's first row is query {@code firstRow}. */
    private static NDArray attend(NDArray q, NDArray kt, NDArray v, double scale, long firstRow) {
        // The softmax runs in float32 for half-precision inputs (fp16 exponentials overflow).
        try (NDArray scores = q.matMul(kt); // [B, heads, rows, Lk]
                NDArray wide = scores.toType(DataType.FLOAT32, false).muli(scale)) {
            if (firstRow >= 0) {
                try (NDArray mask = causalMask(q, kt, firstRow)) {
                    wide.addi(mask);
                }
            }
            try (NDArray weights = wide.softmax(-1);
                    NDArray narrow = weights.toType(v.getDataType(), false)) {
                return narrow.matMul(v); // [B, heads, rows, d]
            }
        }
    }

    /** [rows, Lk]: 0 where key ≤ query (firstRow + row), the float32 minimum after it (never attended to). */
    private static NDArray causalMask(NDArray q, NDArray kt, long firstRow) {
        NDManager m = q.getManager();
        long rows = q.getShape().get(2);
        long keys = kt.getShape().get(3);
        try (NDArray key = m.arange(keys).reshape(1, keys);
                NDArray query = m.arange(firstRow, firstRow + rows).reshape(rows, 1);
                NDArray after = key.gt(query)) {
            return after.toType(DataType.FLOAT32, false).muli(-Float.MAX_VALUE);
        }
    }
}
