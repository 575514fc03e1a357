package org.diffusej.bench;

import org.diffusej.Fixtures;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end presets in CI mode ({@code --quick}: the small SD1.5-shaped model, 64²): each times whole
 * generations into a well-formed report (no time asserted); the full presets' shapes and options are checked without
 * running them; the random TAESD has the real decoder's tensors (the fixture's names and shapes).
 */
class BenchmarkPresetQuickTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sd15-dpm", "turbo-taesd", "lcm-taesd", "sdxl-euler"})
    void quickPresetTimesWholeGenerations(String name) throws Exception {
        BenchmarkOptions o = BenchmarkOptions.parse("--quick", "--preset", name, "--warmup", "0", "--threads", "1");
        List<String> log = new ArrayList<>();
        BenchmarkReport report = new Benchmark(o).run(log::add);
        assertEquals(1, report.stages().size(), report.table());
        BenchmarkReport.Stage s = report.stages().get(0);
        assertEquals("end_to_end " + name, s.stage());
        assertEquals(64, s.size());
        assertEquals(2, s.seconds().size(), "--quick measures 2 runs");
        assertTrue(s.medianSeconds() > 0 && Double.isFinite(s.medianSeconds() / s.referenceSeconds()), report.table());
        assertTrue(report.table().contains(name), report.table());
        assertTrue(log.stream().anyMatch(l -> l.contains(name.endsWith("taesd") ? "TAESD" : "full VAE")), log.toString());
    }

    @Test
    void fullPresetsHaveTheRealShapesAndRunAt512() {
        EndToEndPreset turbo = EndToEndPreset.named("turbo-taesd", false);
        assertEquals(1024, turbo.unet().contextDim(), "SD 2.x cross-attention width");
        assertEquals(1, turbo.steps());
        assertEquals(1, turbo.batch(), "CFG 0: one UNet pass per step");
        EndToEndPreset lcm = EndToEndPreset.named("lcm-taesd", false);
        assertEquals(4, lcm.steps());
        assertEquals(1, lcm.batch(), "LCM: the guidance goes in as an embedding");
        assertEquals(EndToEndPreset.LCM_COND_DIM, lcm.unet().timeCondProjDim());
        EndToEndPreset sd15 = EndToEndPreset.named("sd15-dpm", false);
        assertEquals(20, sd15.steps());
        assertEquals(2, sd15.batch(), "CFG 7: uncond + cond");
        assertEquals(List.of(512), BenchmarkOptions.parse("--preset", "turbo-taesd").sizes());
        EndToEndPreset xl = EndToEndPreset.named("sdxl-euler", false);
        long params = 0;
        for (long[] shape : org.diffusej.engine.unet.UNet.parameterShapes(xl.unet()).values())
            params += java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        assertEquals(2_567_463_684L, params, "SDXL base's published UNet parameter count");
        assertEquals(2048, xl.unet().contextDim(), "768 + 1280");
        assertEquals(1280, xl.text2().hidden());
        assertEquals(32, xl.text2().layers());
        assertEquals(1, xl.steps());
        assertEquals(2, xl.batch(), "CFG 5: uncond + cond");
        for (String name : EndToEndPreset.NAMES) assertTrue(BenchmarkOptions.USAGE.contains(name), BenchmarkOptions.USAGE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--preset", "sdxl-turbo"));
        assertTrue(e.getMessage().contains("turbo-taesd"), e.getMessage());
    }

    @Test
    void randomTaesdHasTheRealDecodersTensors() throws Exception {
        try (TaesdWeightSource real = TaesdWeightSource.open(Fixtures.variant("taesd"))) {
            long[] first = real.shape(TaesdWeightSource.DECODER + "1.weight");
            Map<String, long[]> expected = new TreeMap<>();
            for (String n : real.names()) if (n.startsWith(TaesdWeightSource.DECODER)) expected.put(n, real.shape(n));
            Map<String, long[]> made = new TreeMap<>(Taesd.decoderShapes((int) first[0], (int) first[1]));
            assertEquals(expected.keySet(), made.keySet());
            for (String n : expected.keySet()) assertArrayEquals(expected.get(n), made.get(n), n);
        }
    }
}
