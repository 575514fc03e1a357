package org.diffusej.engine.runtime;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.runtime.TorchOps;

/**
 * The bfloat16 ops DiffuseJ's networks use in bf16 compute ({@code Conv2d}, {@code Linear}, {@code Attention},
 * {@code VaeAttention}, {@code Parameters.kernel}), as the self-test calls them; tests substitute broken ones.
 */
public interface Bf16Kernels {
    /** libtorch's, through {@link TorchOps}: what the networks run. */
    Bf16Kernels TORCH = new Bf16Kernels() {
        @Override
        public NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
            return TorchOps.conv2dBf16(x, weight, bias, stride, padding);
        }

        @Override
        public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
            return TorchOps.linearBf16(x, weight, bias);
        }

        @Override
        public NDArray sdpa(NDArray q, NDArray k, NDArray v) {
            return TorchOps.sdpaBf16(q, k, v);
        }

        @Override
        public NDArray toBf16(NDArray x) {
            return TorchOps.toBf16(x);
        }
    };

    /** {@link TorchOps#conv2dBf16}: float32 x, bf16 weight and bias (from {@link #toBf16}), float32 out. */
    NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding);

    /** {@link TorchOps#linearBf16}: bias may be null. */
    NDArray linear(NDArray x, NDArray weight, NDArray bias);

    /** {@link TorchOps#sdpaBf16}. */
    NDArray sdpa(NDArray q, NDArray k, NDArray v);

    /** {@link TorchOps#toBf16}: how weights are narrowed at load. */
    NDArray toBf16(NDArray x);
}
