package org.diffusej.diagnostics;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.models.CatalogEntry;
import org.diffusej.models.ModelCache;
import org.diffusej.models.ModelCatalog;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each section's gathering from injected inputs (files, environments, verdicts), on any CPU. */
class SectionsTest {
    @TempDir Path dir;

    private static final List<String> ZEN5_CPUINFO = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD",
            "model name\t: AMD EPYC 9R45 (test)", "flags\t\t: fpu sse2 avx2 fma f16c avx512f avx512_bf16 avx512vl",
            "processor\t: 1", "model name\t: other", "flags\t\t: fpu");

    @Test
    void cpuReadsModelAndTheFlagsThatMatterFromTheFirstProcessor() {
        CpuSection zen5 = CpuSection.parse(ZEN5_CPUINFO, 2);
        assertEquals("AMD EPYC 9R45 (test)", zen5.model());
        assertEquals(CpuSection.FLAGS, List.copyOf(zen5.flags().keySet()));
        assertTrue(zen5.flags().get("avx512_bf16"));
        assertFalse(zen5.flags().get("amx_bf16"));
        assertEquals("has avx2 fma f16c avx512f avx512_bf16; lacks amx_tile amx_bf16", zen5.lines().get(1).value());
        CpuSection none = CpuSection.parse(List.of("processor\t: 0"), 1);
        assertTrue(none.flags().isEmpty());
        assertEquals("unknown", none.lines().get(1).value());
    }

    @Test
    void cpuWithoutCpuinfoNamesTheArchitecture() throws Exception {
        CpuSection s = CpuSection.read(dir.resolve("no-cpuinfo"));
        assertTrue(s.model().startsWith(System.getProperty("os.arch")), s.model());
        assertTrue(s.flags().isEmpty());
    }

    @Test
    void memoryReadsMeminfoAndTheKernelsHugePageMode() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:       24576000 kB\nMemFree:  100 kB\n"
                + "MemAvailable:   12288000 kB\n");
        Path thp = Files.writeString(dir.resolve("enabled"), "always [madvise] never\n");
        MemorySection m = MemorySection.read(meminfo, thp, () -> "test pages");
        assertEquals(24576000L * 1024, m.totalRamBytes());
        assertEquals(12288000L * 1024, m.availableRamBytes());
        assertEquals("madvise", m.kernelHugePages());
        assertEquals(Runtime.getRuntime().maxMemory(), m.jvmMaxHeapBytes());
        assertEquals("23.4 GiB total, 11.7 GiB available", m.lines().get(0).value());
        MemorySection unknown = MemorySection.read(dir.resolve("x"), dir.resolve("y"), () -> "off");
        assertEquals(-1, unknown.totalRamBytes());
        assertTrue(unknown.kernelHugePages().startsWith("unknown"));
    }

    @Test
    void modelsListsCompleteAndPartialModelsAndWhatIsMissing() throws Exception {
        ModelCatalog catalog = ModelCatalog.bundled();
        CatalogEntry single = catalog.entries().stream().filter(CatalogEntry::singleFile).findFirst().orElseThrow();
        CatalogEntry folder = catalog.entries().stream().filter(e -> !e.singleFile()).findFirst().orElseThrow();
        ModelCache cache = new ModelCache(dir.resolve("cache"));
        Path file = cache.file(single, single.files().get(0));
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[3000]);
        Path part = cache.file(folder, folder.files().get(0));
        Files.createDirectories(part.getParent());
        Files.write(part, new byte[10]);

        ModelsSection m = ModelsSection.gather(catalog, dir.resolve("cache"));
        assertEquals("folder", m.state());
        assertTrue(m.writable());
        assertTrue(m.freeBytes() > 0);
        assertEquals(List.of(new ModelsSection.Cached(single.id(), true, 3000),
                new ModelsSection.Cached(folder.id(), false, 10)), m.cached());
        assertEquals(catalog.entries().size() - 2, m.notCached().size());
        assertFalse(m.notCached().contains(single.id()));
        assertEquals(List.of(), m.problems());
        assertTrue(m.lines().stream().anyMatch(l -> l.label().equals(folder.id()) && l.value().startsWith("incomplete")));
    }

    @Test
    void aCacheFolderThatIsAFileIsAProblemAndAMissingOneIsNot() throws Exception {
        ModelsSection missing = ModelsSection.gather(ModelCatalog.bundled(), dir.resolve("not/made/yet"));
        assertEquals("missing", missing.state());
        assertEquals(List.of(), missing.problems());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ModelsSection wrong = ModelsSection.gather(ModelCatalog.bundled(), file);
        assertEquals("not a folder", wrong.state());
        assertEquals(1, wrong.problems().size());
        assertTrue(wrong.problems().get(0).contains("DIFFUSEJ_HOME"), wrong.problems().get(0));
    }

    @Test
    void settingsShowVariablesButNeverTheTokenAndNoCredentialsInUrls() {
        String home = System.getProperty("user.home");
        Map<String, String> env = Map.of("HF_TOKEN", "hf_do_not_show", "HF_ENDPOINT", "https://u:p@mirror.test",
                "DIFFUSEJ_HOME", home + "/models", "ONEDNN_MAX_CPU_ISA", "AVX2");
        ModelSettings s = ModelSettings.from(env, new Properties());
        SettingsSection section = SettingsSection.gather(env, s, ModelCatalog.bundled());
        assertTrue(section.hfTokenSet());
        assertEquals("https://mirror.test", section.endpoint());
        assertEquals("https://mirror.test", section.environment().get("HF_ENDPOINT"));
        assertEquals(Redact.path(home + "/models"), section.environment().get("DIFFUSEJ_HOME"));
        assertEquals("AVX2", section.environment().get("ONEDNN_MAX_CPU_ISA"));
        assertFalse(section.environment().containsKey("HF_TOKEN"));
        assertTrue(section.notSet().contains("DIFFUSEJ_OFFLINE"));
        assertEquals(ModelCatalog.bundled().defaultId(Mode.INPAINT), section.defaultInpaintModel());
        assertFalse(section.toString().contains("hf_do_not_show"));
        assertTrue(section.lines().stream().anyMatch(l -> l.value().equals("set (value not shown)")));
    }

    @Test
    void redactWritesTheHomeFolderAsTildeOnlyAtTheStart() {
        assertEquals("~/x/y", Redact.path("/home/ann/x/y", "/home/ann"));
        assertEquals("~", Redact.path("/home/ann", "/home/ann/"));
        assertEquals("/home/anna/x", Redact.path("/home/anna/x", "/home/ann"));
        assertEquals("/data/home/ann/x", Redact.path("/data/home/ann/x", "/home/ann"));
        assertEquals("/home/ann/x", Redact.path("/home/ann/x", "/"));
        assertEquals("cannot read ~/a and ~: 'x' /home/anna/b", Redact.text("cannot read /home/ann/a and /home/ann: 'x' "
                + "/home/anna/b", "/home/ann"));
        assertEquals("http://h:8080/p?q=1", Redact.url("http://user:pw@h:8080/p?q=1"));
        assertEquals("https://huggingface.co", Redact.url("https://huggingface.co"));
    }

    @Test
    void theLibtorchFlavourComesFromItsFolderName() {
        assertEquals("cpu", TorchSection.flavour("/r/.djl.ai/pytorch/2.5.1-20241113-cpu-linux-x86_64", false));
        assertEquals("cu124", TorchSection.flavour("/r/.djl.ai/pytorch/2.5.1-cu124-linux-x86_64", true));
        assertEquals("cuda", TorchSection.flavour("/opt/libtorch", true));
        assertEquals("cpu", TorchSection.flavour(null, false));
    }

    private static PrecisionSection.Verdict verdict(boolean qualifies) {
        return new PrecisionSection.Verdict("bf16", qualifies, qualifies ? "all ops within tolerance" : "conv2d off",
                List.of(new PrecisionSection.OpCheck("conv2d", qualifies ? 0.002 : 0.22, 0.0156, qualifies),
                        new PrecisionSection.OpCheck("linear", 0.001, 0.0156, true)), true, 0, "EPYC|2.5.1");
    }

    @Test
    void precisionExplainsTheChoiceWithTheVerdictAndShowsEachOp() {
        PrecisionSection fp32 = PrecisionSection.gather(ModelOptions::cpu, () -> verdict(false));
        assertEquals("fp32", fp32.precision());
        assertEquals("cpu", fp32.device());
        assertEquals("bf16 does not qualify on this CPU: conv2d off", fp32.why());
        assertTrue(fp32.explicitBf16().startsWith("is refused"));
        assertEquals(List.of(), fp32.problems());
        assertTrue(fp32.lines().stream().anyMatch(l -> l.indent() == 1 && l.label().equals("conv2d")
                && l.value().equals("max error 0.220, tolerance 0.0156: FAILED")), fp32.lines().toString());

        PrecisionSection bf16 = PrecisionSection.gather(() -> ModelOptions.cpu().withPrecision(DataType.BFLOAT16),
                () -> verdict(true));
        assertEquals("bf16", bf16.precision());
        assertTrue(bf16.why().startsWith("bf16 qualifies"), bf16.why());
        assertEquals("runs in bf16", bf16.explicitBf16());
        assertEquals(List.of(), bf16.problems());

        PrecisionSection wrong = PrecisionSection.gather(() -> ModelOptions.cpu().withPrecision(DataType.BFLOAT16),
                () -> verdict(false));
        assertEquals(1, wrong.problems().size(), "auto must not choose a precision that failed its self-test");

        PrecisionSection gpu = PrecisionSection.gather(
                () -> ModelOptions.cpu().withDevice(Device.gpu()).withPrecision(DataType.FLOAT16), () -> verdict(false));
        assertEquals("gpu 0", gpu.device());
        assertEquals("fp16", gpu.precision());
        assertTrue(gpu.why().contains("CUDA GPU"), gpu.why());
    }

    @Test
    void theBf16VerdictIsTheEnginesSelfTest() {
        PrecisionSection.Verdict v = HostPrecisionVerdicts.bf16();
        org.diffusej.engine.runtime.PrecisionVerdict engine = org.diffusej.engine.runtime.PrecisionQualifier.bf16();
        assertEquals("bf16", v.precision());
        assertEquals(engine.qualifies(), v.qualifies());
        assertEquals(engine.checks().size(), v.checks().size());
    }
}
