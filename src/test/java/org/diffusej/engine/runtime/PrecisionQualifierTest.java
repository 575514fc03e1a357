package org.diffusej.engine.runtime;

import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bf16 self-test: libtorch's own kernels pass where they are correct, and injected wrong kernels (22 % off, as the
 * Zen 5 convolution was; off by bf16's own rounding twice over; non-deterministic; a cast that truncates) fail it.
 * The checks hold on any CPU: the injected kernels compute in float32 and perturb the result, so nothing here
 * depends on which bf16 kernels this machine has, except {@link #realKernelsOnThisHost()}, which asserts only what
 * every host must satisfy.
 */
class PrecisionQualifierTest {
    @TempDir
    Path cache;

    /** A correct bf16 implementation simulated in float32: inputs rounded to bf16, result rounded to bf16. */
    static class SimulatedBf16 implements Bf16Kernels {
        @Override
        public NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
            NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(round(x), w, b, new ai.djl.ndarray.types.Shape(stride,
                    stride), new ai.djl.ndarray.types.Shape(padding, padding), new ai.djl.ndarray.types.Shape(1, 1), 1)
                    .singletonOrThrow();
            return round(y);
        }

        @Override
        public NDArray linear(NDArray x, NDArray w, NDArray b) {
            NDArray y = round(x).matMul(w.transpose());
            return round(b == null ? y : y.add(b));
        }

        @Override
        public NDArray sdpa(NDArray q, NDArray k, NDArray v) {
            NDArray s = round(q).matMul(round(k).transpose(0, 1, 3, 2)).mul(1 / Math.sqrt(q.getShape().get(3)));
            return round(round(s.softmax(-1)).matMul(round(v)));
        }

        @Override
        public NDArray toBf16(NDArray x) {
            return round(x); // float32 holding bf16 values: enough for the self-test, which never inspects the type
        }

        static NDArray round(NDArray a) {
            float[] f = a.toFloatArray();
            for (int i = 0; i < f.length; i++) f[i] = Bf16SelfTest.roundToBf16(f[i]);
            return a.getManager().create(f, a.getShape());
        }
    }

    @Test
    void aCorrectBf16ImplementationPasses() {
        PrecisionVerdict v = qualifier("host-a", new SimulatedBf16()).runBf16();
        assertTrue(v.qualifies(), v.summary() + " " + v.checks());
        assertEquals(10, v.checks().size(), "casts, four convolutions, two linear layers, two attentions");
        for (OpCheck c : v.checks()) {
            assertTrue(c.deterministic() && c.passed() && c.maxError() <= c.tolerance(), c.toString());
        }
        assertTrue(v.summary().startsWith("bf16 passed its self-test"), v.summary());
    }

    @Test
    void aConvolution22PercentOffFails() {
        Bf16Kernels wrong = new SimulatedBf16() {
            @Override
            public NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
                return super.conv2d(x, w, b, stride, padding).mul(0.78); // -0.336 where -0.429 is right
            }
        };
        PrecisionVerdict v = qualifier("host-b", wrong).runBf16();
        assertFalse(v.qualifies());
        OpCheck first = v.firstFailure();
        assertTrue(first.op().startsWith("conv2d 3x3 8->4"), first.toString());
        assertTrue(first.deterministic() && first.maxError() > first.tolerance(), first.toString());
        assertEquals(4, v.checks().stream().filter(c -> !c.passed()).count(), "every convolution, nothing else");
        assertTrue(v.summary().contains("conv2d 3x3 8->4 is off by") && v.summary().contains("tolerance")
                && v.summary().contains("3 more"), v.summary());
    }

    @Test
    void aLinearLayerThatLosesItsLastChannelBlockFails() {
        Bf16Kernels lossy = new SimulatedBf16() {
            @Override
            public NDArray linear(NDArray x, NDArray w, NDArray b) {
                long in = x.getShape().get(x.getShape().dimension() - 1);
                NDArray kept = x.get("..., :" + (in - 8)).concat(x.get("..., " + (in - 8) + ":").zerosLike(), -1);
                return super.linear(kept, w, b);
            }
        };
        PrecisionVerdict v = qualifier("host-c", lossy).runBf16();
        assertFalse(v.qualifies());
        assertTrue(v.checks().stream().filter(c -> c.op().startsWith("linear")).noneMatch(OpCheck::passed),
                v.checks().toString());
        assertTrue(v.checks().stream().filter(c -> c.op().startsWith("conv")).allMatch(OpCheck::passed));
    }

    @Test
    void aNonDeterministicAttentionFailsEvenWhenClose() {
        AtomicInteger calls = new AtomicInteger();
        Bf16Kernels flaky = new SimulatedBf16() {
            @Override
            public NDArray sdpa(NDArray q, NDArray k, NDArray v) {
                NDArray y = super.sdpa(q, k, v);
                return calls.incrementAndGet() % 2 == 0 ? y.add(1e-6f) : y; // far below the tolerance
            }
        };
        PrecisionVerdict v = qualifier("host-d", flaky).runBf16();
        assertFalse(v.qualifies());
        OpCheck first = v.firstFailure();
        assertTrue(first.op().startsWith("attention") && !first.deterministic()
                && first.maxError() <= first.tolerance(), first.toString());
        assertTrue(v.summary().contains("gave different results on two identical runs"), v.summary());
    }

    @Test
    void aTruncatingCastFails() {
        Bf16Kernels truncating = new SimulatedBf16() {
            @Override
            public NDArray toBf16(NDArray x) {
                float[] f = x.toFloatArray();
                for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat(Float.floatToRawIntBits(f[i]) & 0xFFFF0000);
                return x.getManager().create(f, x.getShape());
            }
        };
        PrecisionVerdict v = qualifier("host-e", truncating).runBf16();
        assertFalse(v.qualifies());
        assertEquals("cast fp32->bf16 (weights)", v.firstFailure().op(), v.checks().toString());
    }

    @Test
    void aKernelThatThrowsGivesAFailingVerdictThatIsNotCached() {
        Bf16Kernels broken = new SimulatedBf16() {
            @Override
            public NDArray sdpa(NDArray q, NDArray k, NDArray v) {
                throw new IllegalStateException("native torch ops unavailable: test");
            }
        };
        PrecisionQualifier q = qualifier("host-f", broken);
        PrecisionVerdict v = q.qualifyBf16();
        assertFalse(v.qualifies());
        assertTrue(v.checks().isEmpty() && v.summary().contains("could not be checked"), v.summary());
        assertFalse(Files.exists(new VerdictCache(cache).file("bf16", "host-f")));
    }

    @Test
    void realKernelsOnThisHost() {
        assertTrue(org.diffusej.engine.runtime.TorchOps.available(), "libtorch and the helper module load first");
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        PrecisionVerdict v = new PrecisionQualifier(PrecisionQualifier.hostKey(), null, Bf16Kernels.TORCH).runBf16();
        System.out.printf("bf16 self-test on this host: %.3f s wall, %.3f s CPU (all threads), %s%n", v.seconds(),
                (os.getProcessCpuTime() - cpu) / 1e9, v.summary());
        v.checks().forEach(c -> System.out.printf("  %-32s max error %.3g, tolerance %.3g, %s%n", c.op(),
                c.maxError(), c.tolerance(), c.passed() ? "passed" : "FAILED"));
        assertEquals(10, v.checks().size(), v.summary());
        assertTrue(v.hostKey().contains("libtorch=") && v.hostKey().contains("cpu="), v.hostKey());
        assertNotEquals(0, v.seconds());
    }

    private PrecisionQualifier qualifier(String hostKey, Bf16Kernels kernels) {
        return new PrecisionQualifier(hostKey, cache, kernels);
    }
}
