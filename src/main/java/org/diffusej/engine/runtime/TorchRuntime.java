package org.diffusej.engine.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one way into libtorch: {@link #engine()} and {@link #newManager(Device)} configure the native allocator
 * before the first tensor exists, then hand out DJL's PyTorch engine.
 *
 * <p>The configuration: on Linux, libtorch backs every CPU allocation of 2 MiB or more with transparent huge pages
 * when the environment variable {@value #THP_VARIABLE} is 1 (libtorch reads it once, at its first allocation).
 * Stable Diffusion allocates and frees hundreds of MiB per block; with 4 KiB pages each new tensor costs tens of
 * thousands of page faults, and the memory-bound layers (group norm, SiLU, additions) run 2-4× slower than with
 * huge pages (the README's performance section has the measurement). The JVM cannot change its own
 * environment, so the variable is set through the C library's {@code setenv} (JNA ships with DJL). A value the
 * user already exported wins; {@code -D}{@value #HUGE_PAGES_PROPERTY}{@code =false} leaves it alone.
 *
 * <p>Opt-in: {@code -D}{@value #ONEDNN_ISA_PROPERTY}{@code =AVX2} sets {@value #ONEDNN_ISA_VARIABLE} the same way,
 * capping the instruction set of oneDNN's kernels (libtorch's convolutions and bf16 matrix products). On AMD Zen 5 with
 * libtorch 2.5.1 its AVX-512 bf16 convolutions give wrong results and AVX2 gives right ones (README, "bf16 on AVX-512
 * CPUs"); the cap is not the default because it also makes fp32 convolutions use AVX2 kernels.
 *
 * <p>OpenMP threads: libtorch's libgomp makes idle worker threads spin after every parallel region. DJL issues one
 * native call per op, with Java in between, so the workers spin most of the time: the text encoder burned 2.1
 * CPU-seconds for 0.45 of work, and on a shared machine the spinners take cores from the threads that compute
 * (README, "Where the CPU time goes"). {@value #OMP_WAIT_VARIABLE} is therefore set to PASSIVE before libtorch
 * loads (libgomp reads it once, when it is loaded); an exported value wins, {@code -D}{@value #OMP_WAIT_PROPERTY}
 * {@code =ACTIVE} (or any libgomp value) chooses another.
 */
public final class TorchRuntime {
    /** libtorch's switch for huge-page CPU allocations. */
    public static final String THP_VARIABLE = "THP_MEM_ALLOC_ENABLE";
    /** System property: {@code false} leaves the allocator as libtorch's default. */
    public static final String HUGE_PAGES_PROPERTY = "diffusej.hugepages";
    /** oneDNN's cap on the instruction set its kernels use (e.g. AVX2, AVX512_CORE, AVX512_CORE_BF16). */
    public static final String ONEDNN_ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA";
    /** System property: a value for {@value #ONEDNN_ISA_VARIABLE}, set before libtorch loads; unset by default. */
    public static final String ONEDNN_ISA_PROPERTY = "diffusej.onednn.isa";
    /** libgomp's choice between spinning and sleeping idle worker threads. */
    public static final String OMP_WAIT_VARIABLE = "OMP_WAIT_POLICY";
    /** System property: the {@value #OMP_WAIT_VARIABLE} to set before libtorch loads (default PASSIVE). */
    public static final String OMP_WAIT_PROPERTY = "diffusej.omp.wait";

    private static final Logger LOG = Logger.getLogger(TorchRuntime.class.getName());
    private static final Object LOCK = new Object();
    private static volatile String hugePages;
    private static volatile String oneDnnIsa;
    private static volatile String ompWait;

    private TorchRuntime() {
    }

    /** DJL's PyTorch engine, with the allocator configured first. */
    public static Engine engine() {
        configureAllocator();
        return Engine.getEngine("PyTorch");
    }

    /** A new base manager on {@code device} of the PyTorch engine (see {@link #engine()}). */
    public static NDManager newManager(Device device) {
        return engine().newBaseManager(device);
    }

    /** How CPU tensors are backed, for logs and benchmark reports: "transparent huge pages", or why not. */
    public static String hugePagesStatus() {
        configureAllocator();
        return hugePages;
    }

    /**
     * The cap on oneDNN's instruction set in this process ({@value #ONEDNN_ISA_VARIABLE}): the exported value, the
     * opt-in property's, or null when oneDNN picks the best the CPU has (the default).
     */
    public static String oneDnnIsaCap() {
        configureAllocator();
        return oneDnnIsa.isEmpty() ? null : oneDnnIsa;
    }

    private static void configureAllocator() {
        if (hugePages != null) {
            return;
        }
        synchronized (LOCK) {
            if (hugePages == null) {
                oneDnnIsa = capOneDnnIsa();
                ompWait = chooseOmpWait();
                hugePages = requestHugePages();
            }
        }
    }

    /** libgomp's wait policy in this process, for logs and benchmark reports: "PASSIVE (default)", or the exported value. */
    public static String ompWaitPolicy() {
        configureAllocator();
        return ompWait;
    }

    private static String chooseOmpWait() {
        String exported = System.getenv(OMP_WAIT_VARIABLE);
        if (exported != null && !exported.isBlank()) return exported + " (from the environment)";
        String wanted = System.getProperty(OMP_WAIT_PROPERTY, "PASSIVE").trim().toUpperCase(Locale.ROOT);
        try {
            setNativeEnvironment(OMP_WAIT_VARIABLE, wanted);
            return wanted;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot set " + OMP_WAIT_VARIABLE + ": " + e.getMessage(), e);
            return "libgomp's default (" + e.getMessage() + ")";
        }
    }

    private static String capOneDnnIsa() {
        String exported = System.getenv(ONEDNN_ISA_VARIABLE);
        if (exported != null && !exported.isBlank()) return exported;
        String wanted = System.getProperty(ONEDNN_ISA_PROPERTY, "").trim();
        if (wanted.isEmpty()) return "";
        try {
            setNativeEnvironment(ONEDNN_ISA_VARIABLE, wanted.toUpperCase(Locale.ROOT));
            return wanted.toUpperCase(Locale.ROOT);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot set " + ONEDNN_ISA_VARIABLE + ": " + e.getMessage(), e);
            return "";
        }
    }

    private static String requestHugePages() {
        if (!Boolean.parseBoolean(System.getProperty(HUGE_PAGES_PROPERTY, "true"))) {
            return "off (-D" + HUGE_PAGES_PROPERTY + "=false)";
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "not used (Linux only)";
        }
        String exported = System.getenv(THP_VARIABLE);
        if (exported != null) {
            return THP_VARIABLE + "=" + exported + " (from the environment)";
        }
        try {
            setNativeEnvironment(THP_VARIABLE, "1");
            return "transparent huge pages (" + THP_VARIABLE + "=1)";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.log(Level.FINE, "cannot set " + THP_VARIABLE, e);
            return "not used (" + e.getMessage() + ")";
        }
    }

    /** Sets {@code name=value} in the C library's environment (what native code's getenv reads); keeps a set value. */
    static void setNativeEnvironment(String name, String value) {
        Function setenv = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("setenv");
        if (setenv.invokeInt(new Object[] {name, value, 0}) != 0) {
            throw new IllegalStateException("setenv(" + name + ") failed");
        }
    }
}
