package org.diffusej.diagnostics;

import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.ModelOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The precision {@code auto} chooses on this computer and why, with the reduced-precision self-test verdicts.
 *
 * @param device       where {@code auto} runs the networks ({@code cpu}, {@code gpu 0})
 * @param precision    what {@code auto} chooses ({@code fp32}, {@code bf16}, {@code fp16})
 * @param why          one sentence on the choice
 * @param explicitBf16 what {@code --precision bf16} does on this host
 * @param selfTests    the verdicts of the reduced-precision self-tests (bf16 on the CPU)
 */
public record PrecisionSection(String device, String precision, String why, String explicitBf16,
                               List<Verdict> selfTests) implements Facts {

    public PrecisionSection {
        selfTests = List.copyOf(selfTests);
    }

    /**
     * Whether a reduced precision computes correctly on this host (mirrors the engine's precision verdict).
     *
     * @param precision the precision tested ({@code bf16})
     * @param qualifies true when every op stayed within its tolerance
     * @param summary   one sentence for users
     * @param checks    each op's measured error
     * @param fromCache true when the verdict came from the per-host cache instead of a run now
     * @param seconds   how long the self-test took (0 from the cache)
     * @param hostKey   what the verdict is cached under (CPU model and libtorch version)
     */
    public record Verdict(String precision, boolean qualifies, String summary, List<OpCheck> checks,
                          boolean fromCache, double seconds, String hostKey) {
        public Verdict {
            checks = List.copyOf(checks);
        }
    }

    /**
     * One op of a self-test: its largest error against fp32 and the tolerance it had to meet.
     *
     * @param op        the op ({@code conv2d}, {@code linear}, ...)
     * @param maxError  largest absolute error seen
     * @param tolerance the limit, from the format's rounding
     * @param passed    maxError within tolerance
     */
    public record OpCheck(String op, double maxError, double tolerance, boolean passed) {
    }

    /** What {@code auto} gives ({@code PrecisionResolver} with device and precision "auto") explained by the bf16 verdict. */
    static PrecisionSection gather(Supplier<ModelOptions> auto, Supplier<Verdict> bf16) {
        ModelOptions chosen = auto.get();
        Verdict v = bf16.get();
        String precision = name(chosen.precision());
        String why;
        if (chosen.device().isGpu()) why = "libtorch sees a CUDA GPU: fp16, with the VAE in fp32";
        else if (precision.equals("bf16")) why = "bf16 qualifies on this CPU: " + v.summary();
        else if (!v.qualifies()) why = "bf16 does not qualify on this CPU: " + v.summary();
        else why = "fp32 on the CPU (bf16 would qualify: " + v.summary() + ")";
        String explicit = v.qualifies() ? "runs in bf16" : "is refused (bf16 does not qualify on this host)";
        return new PrecisionSection(device(chosen.device()), precision, why, explicit, List.of(v));
    }

    /** {@code cpu}, or {@code gpu N}. */
    static String device(ai.djl.Device d) {
        return d.isGpu() ? "gpu " + d.getDeviceId() : d.getDeviceType();
    }

    static String name(DataType t) {
        return switch (t) {
            case FLOAT32 -> "fp32";
            case FLOAT16 -> "fp16";
            case BFLOAT16 -> "bf16";
            default -> t.toString().toLowerCase(Locale.ROOT);
        };
    }

    @Override
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        out.add(new Line("auto chooses", precision + " on " + device));
        out.add(new Line("why", why));
        out.add(new Line("--precision bf16", explicitBf16));
        for (Verdict v : selfTests) {
            String how = v.fromCache() ? "cached verdict" : v.checks().isEmpty() ? "no self-test run"
                    : String.format(Locale.ROOT, "self-test took %.2f s", v.seconds());
            out.add(new Line(v.precision() + " self-test", (v.qualifies() ? "qualifies" : "does not qualify")
                    + " (" + how + (v.hostKey() == null || v.hostKey().isBlank() ? "" : ", host " + v.hostKey()) + ")"));
            for (OpCheck c : v.checks())
                out.add(new Line(c.op(), String.format(Locale.ROOT, "max error %.3g, tolerance %.3g: %s", c.maxError(),
                        c.tolerance(), c.passed() ? "ok" : "FAILED"), 1));
        }
        return out;
    }

    @Override
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (precision.equals("bf16"))
            for (Verdict v : selfTests)
                if (v.precision().equals("bf16") && !v.qualifies())
                    out.add("auto chose bf16 although bf16 does not qualify on this host (" + v.summary() + ")");
        return out;
    }
}
