package org.diffusej.engine.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.diffusej.engine.runtime.CpuFeatures;
import org.diffusej.engine.runtime.TorchRuntime;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Qualifies reduced precision on this host, caches verdicts per host: before bf16 compute is used, every bf16 op the
 * networks use runs against float32 on small seeded inputs, twice ({@link Bf16SelfTest} states the tolerances). A
 * correct libtorch passes on any CPU; a wrong or non-deterministic kernel (libtorch 2.5.1's AVX-512 bf16
 * convolutions on AMD Zen 5) fails, and then bf16 is not used.
 *
 * <p>The verdict is cached in the DiffuseJ cache folder ({@code DIFFUSEJ_HOME}, property {@code diffusej.home}, default
 * {@code ~/.cache/diffusej}) under {@value #CACHE_FOLDER}/, keyed by {@link #hostKey()}: the CPU model and the flags
 * that select kernels, the libtorch version and oneDNN's ISA cap. A new CPU, libtorch or cap runs the test again.
 */
public final class PrecisionQualifier {
    /** Sub-folder of the DiffuseJ cache folder that holds verdicts. */
    public static final String CACHE_FOLDER = "qualification";
    /** Bump when the self-test changes, so that verdicts of the old test are not reused. */
    static final int SELF_TEST_VERSION = 1;

    private static final Logger LOG = Logger.getLogger(PrecisionQualifier.class.getName());
    private static final Object LOCK = new Object();
    private static volatile PrecisionVerdict systemBf16;

    private final String hostKey;
    private final Path cacheFolder;
    private final Bf16Kernels kernels;

    /**
     * A qualifier for {@code hostKey} that keeps verdicts in {@code cacheFolder} (null: no cache) and tests
     * {@code kernels} (tests pass their own key, folder and kernels).
     */
    public PrecisionQualifier(String hostKey, Path cacheFolder, Bf16Kernels kernels) {
        this.hostKey = hostKey;
        this.cacheFolder = cacheFolder;
        this.kernels = kernels;
    }

    /** This host's qualifier: its host key, the DiffuseJ cache folder, libtorch's kernels. */
    public static PrecisionQualifier system() {
        return new PrecisionQualifier(hostKey(), defaultCacheFolder(), Bf16Kernels.TORCH);
    }

    /**
     * The bf16 verdict for this host: from memory after the first call in a process, else from the cache, else
     * measured now (a fraction of a second) and cached.
     */
    public static PrecisionVerdict bf16() {
        PrecisionVerdict v = systemBf16;
        if (v != null) return v;
        synchronized (LOCK) {
            if (systemBf16 == null) systemBf16 = system().qualifyBf16();
            return systemBf16;
        }
    }

    /** The cached verdict for this qualifier's host key, or the self-test's (then cached). */
    public PrecisionVerdict qualifyBf16() {
        long start = System.nanoTime();
        VerdictCache cache = cacheFolder == null ? null : new VerdictCache(cacheFolder);
        PrecisionVerdict cached = cache == null ? null : cache.read("bf16", hostKey);
        if (cached != null) return cached.cached(seconds(start));
        PrecisionVerdict measured = runBf16();
        if (cache != null && !measured.checks().isEmpty()) cache.write(measured); // a test that could not run: retry
        return measured;
    }

    /** Runs the bf16 self-test now, without the cache. */
    public PrecisionVerdict runBf16() {
        long start = System.nanoTime();
        List<OpCheck> checks;
        try (NDManager m = TorchRuntime.newManager(Device.cpu())) {
            checks = new Bf16SelfTest(kernels, m).run();
        } catch (RuntimeException | LinkageError e) {
            String summary = "bf16 could not be checked on this host (" + e.getMessage() + ").";
            LOG.warning(summary);
            return new PrecisionVerdict("bf16", false, summary, List.of(), false, seconds(start), hostKey);
        }
        PrecisionVerdict v = new PrecisionVerdict("bf16", checks.stream().allMatch(OpCheck::passed),
                summary(checks), checks, false, seconds(start), hostKey);
        LOG.info(String.format(Locale.ROOT, "%s (self-test %.2f s)", v.summary(), v.seconds()));
        return v;
    }

    private static String summary(List<OpCheck> checks) {
        OpCheck failed = checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
        String cap = TorchRuntime.oneDnnIsaCap();
        String capNote = cap == null ? "" : " (oneDNN capped at " + cap + ")";
        if (failed == null)
            return "bf16 passed its self-test on this host" + capNote + ": " + checks.size()
                    + " ops matched fp32 within bf16 rounding, identically on two runs.";
        long failures = checks.stream().filter(c -> !c.passed()).count();
        return "bf16 failed its self-test on this host" + capNote + ": " + failed.describe()
                + (failures > 1 ? " (and " + (failures - 1) + " more of " + checks.size() + " ops)" : "") + ".";
    }

    /**
     * What a verdict holds for: CPU model, the flags that select kernels, libtorch version, oneDNN's ISA cap,
     * architecture and the self-test's version.
     */
    public static String hostKey() {
        String cap = TorchRuntime.oneDnnIsaCap();
        return "cpu=" + CpuFeatures.modelName() + ";flags=" + String.join(",", CpuFeatures.flagsThatMatter())
                + ";libtorch=" + TorchRuntime.engine().getVersion() + ";onednn_isa=" + (cap == null ? "default" : cap)
                + ";arch=" + System.getProperty("os.arch") + ";selftest=" + SELF_TEST_VERSION;
    }

    /** {@code <DiffuseJ cache folder>/}{@value #CACHE_FOLDER}: the same folder rule as the model cache's. */
    public static Path defaultCacheFolder() {
        String home = System.getProperty("diffusej.home");
        if (home == null || home.isBlank()) home = System.getenv("DIFFUSEJ_HOME");
        Path base = home != null && !home.isBlank() ? Paths.get(home)
                : Paths.get(System.getProperty("user.home"), ".cache", "diffusej");
        return base.resolve(CACHE_FOLDER);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
