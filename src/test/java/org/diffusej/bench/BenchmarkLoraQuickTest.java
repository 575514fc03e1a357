package org.diffusej.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --lora-rank N} on the small SD1.5-shaped model: three stages (apply, switch, restore) and the LoRA line
 * (modules, patched bytes, resident memory) in the report; no time asserted; {@code --lora-rank} with
 * {@code --preset} is refused.
 */
class BenchmarkLoraQuickTest {
    @Test
    void loraRankReportsApplySwitchRestoreAndPatchedBytes() throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse("--quick", "--lora-rank", "4", "--warmup", "0", "--steps", "1",
                "--threads", "1");
        List<String> log = new ArrayList<>();
        BenchmarkReport report = new Benchmark(options).run(log::add);
        assertEquals(List.of("lora_apply r4", "lora_switch r4", "lora_restore r4"),
                report.stages().stream().map(BenchmarkReport.Stage::stage).toList());
        for (BenchmarkReport.Stage s : report.stages()) assertTrue(s.medianSeconds() > 0, s.toString());
        String line = report.environment().get("lora");
        Matcher m = Pattern.compile("rank 4, (\\d+) modules, .*patched copies (\\d+) MB").matcher(line);
        assertTrue(m.find(), line);
        assertTrue(Integer.parseInt(m.group(1)) > 0, line);
        assertTrue(report.table().contains("lora_apply"), report.table());
        assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--quick", "--lora-rank", "4", "--preset", "sd15-dpm"));
    }
}
