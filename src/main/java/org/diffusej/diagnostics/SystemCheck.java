package org.diffusej.diagnostics;

import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.PrecisionResolver;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.models.ModelCatalog;
import org.diffusej.models.ModelSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The system check behind {@code diffusej doctor}, Fiji's About / System Check and the bridge's
 * {@code /diffusej/v1/doctor}: runs its {@link Probe}s one by one into a {@link SystemReport}. A probe that throws
 * becomes a failed section of the report; nothing escapes {@link #run()}.
 */
public final class SystemCheck {
    private final List<Probe> probes;

    /** A check of exactly these probes, in this order. */
    public SystemCheck(List<Probe> probes) {
        this.probes = List.copyOf(probes);
    }

    /**
     * The standard check: CPU, precision, memory, libtorch and GPU, Java and OS, models, settings. {@code settings}
     * gives the model settings in force (the CLI's, Fiji's, the bridge's); it is asked when the check runs.
     */
    public static SystemCheck standard(Supplier<ModelSettings> settings) {
        return new SystemCheck(List.of(
                new Probe("cpu", "CPU", () -> CpuSection.read(Path.of("/proc/cpuinfo"))),
                new Probe("precision", "Precision", () -> PrecisionSection.gather(SystemCheck::autoOptions,
                        HostPrecisionVerdicts::bf16)),
                new Probe("memory", "Memory", () -> MemorySection.read(Path.of("/proc/meminfo"),
                        Path.of("/sys/kernel/mm/transparent_hugepage/enabled"), TorchRuntime::hugePagesStatus)),
                new Probe("libtorch", "libtorch and GPU", TorchSection::gather),
                new Probe("runtime", "Java and OS", RuntimeSection::gather),
                new Probe("models", "Models", () -> ModelsSection.gather(ModelCatalog.bundled(),
                        settings.get().cacheDir())),
                new Probe("settings", "Settings", () -> SettingsSection.gather(System.getenv(), settings.get(),
                        ModelCatalog.bundled()))));
    }

    /** What device and precision "auto" resolve to on this host. */
    private static ModelOptions autoOptions() {
        try {
            return PrecisionResolver.resolve("auto", "auto").options();
        } catch (InvalidRequestException e) {
            throw new IllegalStateException("auto device and precision are always valid", e);
        }
    }

    /** This check with {@code probe} added at the end (a face's own section). */
    public SystemCheck with(Probe probe) {
        List<Probe> more = new ArrayList<>(probes);
        more.add(probe);
        return new SystemCheck(more);
    }

    /** The probes, in order. */
    public List<Probe> probes() {
        return probes;
    }

    /** Runs every probe; each failure is recorded in its section. */
    public SystemReport run() {
        List<SectionResult> sections = new ArrayList<>();
        for (Probe p : probes) sections.add(run(p));
        return new SystemReport(version(), sections);
    }

    static SectionResult run(Probe p) {
        Facts facts;
        try {
            facts = p.gather().call();
            if (facts == null) throw new IllegalStateException("the probe found nothing");
            return new SectionResult(p.name(), p.title(), facts, null, facts.problems());
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | LinkageError | AssertionError e) {  // e.g. UnsatisfiedLinkError when libtorch cannot load
            String message = e.getMessage() == null ? "" : ": " + Redact.text(e.getMessage().strip());
            return new SectionResult(p.name(), p.title(), null, e.getClass().getSimpleName() + message, List.of());
        }
    }

    /** DiffuseJ's version from the jar manifest, or {@code (development build)}. */
    public static String version() {
        String v = SystemCheck.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
