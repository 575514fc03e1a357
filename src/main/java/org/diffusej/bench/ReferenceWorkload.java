package org.diffusej.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * A fixed float32 workload timed in the same run as the benchmark, so that figures from shared, noisy machines
 * can be compared as ratios: one SD-like block, a 3×3 convolution 320→320 on a 1×320×64×64 map (7.5 GFLOP) and a
 * 4096×320 · 320×1280 matrix product (3.4 GFLOP), on the benchmark's device, always in float32.
 */
public final class ReferenceWorkload implements AutoCloseable {
    /** Floating-point operations of one run (multiply-add counted as two). */
    public static final double FLOPS = 2.0 * 320 * 320 * 9 * 64 * 64 + 2.0 * 4096 * 320 * 1280;

    private final NDManager manager;
    private final NDArray input;
    private final NDArray kernel;
    private final NDArray bias;
    private final NDArray rows;
    private final NDArray projection;

    /** Allocates the fixed random inputs in a sub-manager of {@code parent} (closed by {@link #close()}). */
    public ReferenceWorkload(NDManager parent) {
        manager = parent.newSubManager();
        input = manager.randomNormal(0, 1, new Shape(1, 320, 64, 64), DataType.FLOAT32);
        kernel = manager.randomNormal(0, 0.02f, new Shape(320, 320, 3, 3), DataType.FLOAT32);
        bias = manager.zeros(new Shape(320), DataType.FLOAT32);
        rows = manager.randomNormal(0, 1, new Shape(4096, 320), DataType.FLOAT32);
        projection = manager.randomNormal(0, 0.05f, new Shape(320, 1280), DataType.FLOAT32);
    }

    /** Runs the workload once and returns its wall time in seconds (results are read back to force completion). */
    public double runOnce() {
        long start = System.nanoTime();
        try (NDScope scope = new NDScope()) {
            NDArray conv = Conv2d.conv2d(input, kernel, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            NDArray product = rows.matMul(projection);
            conv.sum().add(product.sum()).getFloat();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Frees the inputs. */
    @Override
    public void close() {
        manager.close();
    }
}
