package org.diffusej.engine.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs every bf16 op the networks use against float32 on small seeded inputs, twice each.
 *
 * <p>Why the tolerances hold for any correct kernel. bf16 keeps 8 significant bits: rounding to nearest errs by at
 * most u = 2^-8 relative. The inputs are drawn as bf16 numbers, so the casts inside the ops are exact and every
 * product of two bf16 numbers is exact in float32; a dot product y = Σ wᵢxᵢ + b of n terms, with S = Σ|wᵢ||xᵢ| + |b|,
 * can then err only by (a) float32 accumulation, at most n·2^-24·S (in the kernel and in the float32 reference:
 * counted twice), (b) one rounding of a partial sum to bf16, at most u·S, allowed in case an implementation keeps
 * partial sums over channel blocks in bf16, and (c) rounding the result to bf16, at most u·|y|. So a convolution or
 * linear element may err by u·(|y| + S) + 2n·2^-24·S. A wrong kernel (lost taps or channel blocks, stale memory) errs by
 * a sizeable part of |y| — on Zen 5 with libtorch 2.5.1 a 3x3 conv 8→4 was 22 % off — which exceeds that at these
 * shapes (S is a few |y|). Attention: a score s = q·k/√d errs by E ≤ u·(2·S_qk + |s|) (scaling both operands, and
 * rounding the score); softmax turns score errors into relative weight errors of at most 2.2·E plus two roundings
 * (2u), and the weighted sum of v adds u per accumulation and output rounding: u·|y| + (2.2·E + 3u)·Σ pⱼ|vⱼ|. Casts:
 * at most u·|x|. Non-bf16 inputs are used only for the cast checks. Two runs on the same inputs must be
 * bit-identical: the wrong kernels seen so far were also non-deterministic.
 */
final class Bf16SelfTest {
    /** bf16's unit roundoff: 8 significant bits, round to nearest. */
    static final double U = 0x1p-8;
    /** float32's unit roundoff. */
    static final double U32 = 0x1p-24;
    private static final long SEED = 20261129L;

    private final Bf16Kernels kernels;
    private final NDManager manager;
    private final SplittableRandom random = new SplittableRandom(SEED);

    Bf16SelfTest(Bf16Kernels kernels, NDManager manager) {
        this.kernels = kernels;
        this.manager = manager;
    }

    /** One check per op and shape class, in a fixed order (the first failure is the one users are told about). */
    List<OpCheck> run() {
        List<OpCheck> out = new ArrayList<>();
        out.add(weightCast());
        out.add(activationCast());
        out.add(conv("conv2d 3x3 8->4", 1, 8, 4, 10, 3, 1, 1));        // small, odd: not the blocked kernels
        out.add(conv("conv2d 3x3 32->32", 1, 32, 32, 12, 3, 1, 1));    // channel-blocked kernels (16/32 blocks)
        out.add(conv("conv2d 3x3 stride 2 16->16", 1, 16, 16, 12, 3, 2, 1)); // UNet downsampling
        out.add(conv("conv2d 1x1 64->32", 1, 64, 32, 8, 1, 1, 0));     // VAE attention q/k/v, shortcuts, proj
        out.add(linear("linear 64->48", 64, 48, true));                 // transformer projections, feed-forward
        out.add(linear("linear 40->32 without bias", 40, 32, false));  // attention to_q/to_k/to_v
        out.add(attention("attention 2 heads d=32", 2, 2, 24, 16, 32)); // UNet self/cross attention
        out.add(attention("attention 1 head d=64", 1, 1, 32, 32, 64));  // VAE mid-block attention
        return out;
    }

    private OpCheck weightCast() { // to_bf16, then a product with the identity: the rounded weight itself
        try (NDManager m = manager.newSubManager()) {
            NDArray w = normal(m, false, 1, 24, 16);
            NDArray eye = m.eye(16);
            NDArray wb = kernels.toBf16(w);
            NDArray y1 = kernels.linear(eye, wb, null), y2 = kernels.linear(eye, wb, null); // [16, 24] = wᵀ
            NDArray ref = w.transpose();
            return compare("cast fp32->bf16 (weights)", y1, y2, ref, scaled(ref.abs(), U));
        }
    }

    private OpCheck activationCast() { // float32 activations are rounded inside every op
        try (NDManager m = manager.newSubManager()) {
            NDArray x = normal(m, false, 1, 8, 16);
            NDArray eye = kernels.toBf16(m.eye(16));
            NDArray y1 = kernels.linear(x, eye, null), y2 = kernels.linear(x, eye, null);
            return compare("cast fp32->bf16 (activations)", y1, y2, x, scaled(x.abs(), U));
        }
    }

    private OpCheck conv(String op, int n, int in, int out, int size, int k, int stride, int padding) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = normal(m, true, 1, n, in, size, size);
            NDArray w = normal(m, true, 1 / Math.sqrt(in * k * k), out, in, k, k);
            NDArray b = normal(m, true, 0.5, out);
            NDArray ref = conv(x, w, b, stride, padding);
            NDArray s = conv(x.abs(), w.abs(), b.abs(), stride, padding);
            NDArray wb = kernels.toBf16(w), bb = kernels.toBf16(b);
            NDArray y1 = kernels.conv2d(x, wb, bb, stride, padding), y2 = kernels.conv2d(x, wb, bb, stride, padding);
            return compare(op, y1, y2, ref, dotTolerance(ref, s, in * k * k + 1));
        }
    }

    private OpCheck linear(String op, int in, int out, boolean withBias) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = normal(m, true, 1, 2, 12, in);
            NDArray w = normal(m, true, 1 / Math.sqrt(in), out, in);
            NDArray b = withBias ? normal(m, true, 0.5, out) : null;
            NDArray ref = x.matMul(w.transpose()), s = x.abs().matMul(w.abs().transpose());
            if (withBias) {
                ref = ref.add(b);
                s = s.add(b.abs());
            }
            NDArray wb = kernels.toBf16(w), bb = withBias ? kernels.toBf16(b) : null;
            NDArray y1 = kernels.linear(x, wb, bb), y2 = kernels.linear(x, wb, bb);
            return compare(op, y1, y2, ref, dotTolerance(ref, s, in + 1));
        }
    }

    /** Inputs as the networks pass them: [B, L, heads, d] viewed as [B, heads, L, d] (not contiguous). */
    private OpCheck attention(String op, int batch, int heads, int lq, int lk, int d) {
        try (NDManager m = manager.newSubManager()) {
            NDArray q = normal(m, true, 1, batch, lq, heads, d).transpose(0, 2, 1, 3);
            NDArray k = normal(m, true, 1, batch, lk, heads, d).transpose(0, 2, 1, 3);
            NDArray v = normal(m, true, 1, batch, lk, heads, d).transpose(0, 2, 1, 3);
            double scale = 1 / Math.sqrt(d);
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);              // [B, h, Lq, Lk]
            NDArray p = scores.softmax(-1);
            NDArray ref = p.matMul(v);
            NDArray sqk = q.abs().matMul(k.abs().transpose(0, 1, 3, 2)).mul(scale);
            NDArray e = sqk.mul(2).add(scores.abs()).max(new int[] {-1}, true).mul(U); // [B, h, Lq, 1]
            NDArray weighted = p.matMul(v.abs());                                         // Σ pⱼ|vⱼ|
            NDArray tol = e.mul(2.2).add(3 * U).mul(weighted).add(ref.abs().mul(U));
            NDArray y1 = kernels.sdpa(q, k, v), y2 = kernels.sdpa(q, k, v);
            return compare(op, y1, y2, ref, tol.toFloatArray());
        }
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /** u·(|y| + S) + 2n·2^-24·S per element (see the class comment). */
    private static float[] dotTolerance(NDArray ref, NDArray s, int terms) {
        return ref.abs().mul(U).add(s.mul(U + 2.0 * terms * U32)).toFloatArray();
    }

    private static float[] scaled(NDArray a, double factor) {
        return a.mul(factor).toFloatArray();
    }

    private static OpCheck compare(String op, NDArray y1, NDArray y2, NDArray ref, float[] tol) {
        float[] a = y1.toFloatArray(), b = y2.toFloatArray(), r = ref.toFloatArray();
        if (a.length != r.length)
            return new OpCheck(op + " (shape " + y1.getShape() + ", expected " + ref.getShape() + ")", Double.NaN, 0,
                    false, Arrays.equals(a, b));
        boolean deterministic = Arrays.equals(a, b);
        int worst = 0;
        double worstRatio = -1;
        for (int i = 0; i < a.length; i++) {
            double err = Math.abs((double) a[i] - r[i]);
            double ratio = !Double.isFinite(err) ? Double.POSITIVE_INFINITY : err == 0 ? 0 : err / tol[i];
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        double maxError = Math.abs((double) a[worst] - r[worst]);
        return new OpCheck(op, maxError, tol[worst], deterministic && worstRatio <= 1, deterministic);
    }

    /** Seeded normal values times {@code scale}; rounded to bf16 numbers when {@code bf16Exact}. */
    private NDArray normal(NDManager m, boolean bf16Exact, double scale, long... shape) {
        int count = (int) new Shape(shape).size();
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            float f = (float) (random.nextGaussian() * scale);
            values[i] = bf16Exact ? roundToBf16(f) : f;
        }
        return m.create(values, new Shape(shape));
    }

    /** The nearest bf16 number (ties to even), as a float: the upper 16 bits of the float32 pattern. */
    static float roundToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
        return Float.intBitsToFloat(rounded);
    }
}
