package org.diffusej.cli;

import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.runtime.OpCheck;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.pipeline.PrecisionResolver;
import org.diffusej.engine.runtime.PrecisionVerdict;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** An explicit bf16 that fails its self-test is told on stderr in one line; other choices print nothing. */
class PrecisionFallbackNoticeTest {
    private static final PrecisionVerdict FAILS = new PrecisionVerdict("bf16", false, "bf16 failed its self-test.",
            List.of(new OpCheck("conv2d 3x3 8->4", 0.093, 0.0245, false)), true, 0.001, "cpu=Zen5");

    @Test
    void aFallbackIsOneStderrLine() throws Exception {
        PrecisionResolver zen5 = new PrecisionResolver(() -> 0, () -> true, () -> FAILS, () -> false);
        PrecisionChoice choice = zen5.choose("auto", "bf16").choice();
        assertEquals("DiffuseJ: bf16 was requested but failed its self-test on this host (conv2d 3x3 8->4 is off by "
                + "0.0930 from fp32 (tolerance 0.0245)), so fp32 is used instead.\n", told(choice));
    }

    @Test
    void otherChoicesPrintNothing() throws Exception {
        PrecisionResolver zen5 = new PrecisionResolver(() -> 0, () -> true, () -> FAILS, () -> false);
        assertEquals("", told(zen5.choose("auto", "auto").choice()), "auto chose fp32: nothing was refused");
        assertEquals("", told(new PrecisionChoice("fp32", DataType.FLOAT32, "fp32 as requested.", null)));
        assertEquals("", told(null));
    }

    private static String told(PrecisionChoice choice) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PipelineEngineLoader.tellPrecisionFallback(err, new ModelInfo("m", "/m", "0123456789", "SD1", false, false, choice));
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
