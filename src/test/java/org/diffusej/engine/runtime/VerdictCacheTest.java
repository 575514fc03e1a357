package org.diffusej.engine.runtime;

import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verdicts are cached per host key: a hit skips the self-test; a miss, a corrupt file or another host runs it. */
class VerdictCacheTest {
    @TempDir
    Path cache;

    /** The simulated correct kernels, counting how often the self-test ran (each run calls sdpa four times). */
    static final class Counting extends PrecisionQualifierTest.SimulatedBf16 {
        final AtomicInteger sdpaCalls = new AtomicInteger();

        @Override
        public NDArray sdpa(NDArray q, NDArray k, NDArray v) {
            sdpaCalls.incrementAndGet();
            return super.sdpa(q, k, v);
        }

        int selfTests() {
            return sdpaCalls.get() / 4;
        }
    }

    @Test
    void missRunsAndStoresThenHitReadsBack() {
        Counting kernels = new Counting();
        PrecisionQualifier q = new PrecisionQualifier("cpu=A;libtorch=2.5.1", cache, kernels);
        PrecisionVerdict first = q.qualifyBf16();
        assertFalse(first.fromCache());
        assertEquals(1, kernels.selfTests());
        assertTrue(Files.isRegularFile(new VerdictCache(cache).file("bf16", "cpu=A;libtorch=2.5.1")));

        PrecisionVerdict second = q.qualifyBf16();
        assertTrue(second.fromCache());
        assertEquals(1, kernels.selfTests(), "a hit does not run the self-test");
        assertEquals(first.qualifies(), second.qualifies());
        assertEquals(first.summary(), second.summary());
        assertEquals(first.checks(), second.checks(), "every check survives the round trip");
        assertEquals(first.hostKey(), second.hostKey());
    }

    @Test
    void aFailingVerdictIsCachedToo() {
        PrecisionQualifierTest.SimulatedBf16 wrong = new PrecisionQualifierTest.SimulatedBf16() {
            @Override
            public NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
                return super.conv2d(x, w, b, stride, padding).mul(0.78);
            }
        };
        PrecisionVerdict measured = new PrecisionQualifier("cpu=Zen5", cache, wrong).qualifyBf16();
        PrecisionVerdict cached = new PrecisionQualifier("cpu=Zen5", cache, new Counting()).qualifyBf16();
        assertFalse(measured.qualifies());
        assertTrue(cached.fromCache() && !cached.qualifies());
        assertEquals(measured.firstFailure(), cached.firstFailure());
    }

    @Test
    void anotherHostKeyIsAMiss() {
        Counting kernels = new Counting();
        new PrecisionQualifier("cpu=A;libtorch=2.5.1", cache, kernels).qualifyBf16();
        PrecisionVerdict other = new PrecisionQualifier("cpu=A;libtorch=2.7.1", cache, kernels).qualifyBf16();
        assertFalse(other.fromCache());
        assertEquals(2, kernels.selfTests());
    }

    @Test
    void aCorruptFileIsIgnoredAndRewritten() throws Exception {
        String key = "cpu=B";
        Path file = new VerdictCache(cache).file("bf16", key);
        Counting kernels = new Counting();
        PrecisionQualifier q = new PrecisionQualifier(key, cache, kernels);
        String[] corrupt = {"\u0000\u0001garbage\\u12", "precision=bf16\nhostKey=cpu=B\nqualifies=maybe\n",
            "precision=bf16\nhostKey=cpu=B\nqualifies=true\nsummary=s\nseconds=0.1\nchecks=3\n", ""};
        for (int i = 0; i < corrupt.length; i++) {
            Files.createDirectories(cache);
            Files.writeString(file, corrupt[i]);
            PrecisionVerdict v = q.qualifyBf16();
            assertFalse(v.fromCache(), "corrupt variant " + i);
            assertEquals(i + 1, kernels.selfTests());
            assertTrue(new VerdictCache(cache).read("bf16", key) != null, "rewritten after variant " + i);
        }
    }

    @Test
    void aFileOfAnotherHostUnderTheSameNameIsAMiss() throws Exception {
        Counting kernels = new Counting();
        new PrecisionQualifier("cpu=C", cache, kernels).qualifyBf16();
        Path mine = new VerdictCache(cache).file("bf16", "cpu=D");
        Files.copy(new VerdictCache(cache).file("bf16", "cpu=C"), mine);
        assertFalse(new PrecisionQualifier("cpu=D", cache, kernels).qualifyBf16().fromCache());
    }

    @Test
    void noCacheFolderMeansNoCaching() {
        Counting kernels = new Counting();
        PrecisionQualifier q = new PrecisionQualifier("cpu=E", null, kernels);
        q.qualifyBf16();
        assertFalse(q.qualifyBf16().fromCache());
        assertEquals(2, kernels.selfTests());
    }

    @Test
    void theDefaultFolderFollowsDiffusejHome() {
        String before = System.getProperty("diffusej.home");
        try {
            System.setProperty("diffusej.home", cache.toString());
            assertEquals(cache.resolve(PrecisionQualifier.CACHE_FOLDER), PrecisionQualifier.defaultCacheFolder());
        } finally {
            if (before == null) System.clearProperty("diffusej.home");
            else System.setProperty("diffusej.home", before);
        }
    }
}
