package org.diffusej.engine.pipeline;

import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.runtime.OpCheck;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.runtime.PrecisionVerdict;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device and precision choice on simulated hosts (GPU count, native bf16, the bf16 verdict and the emulation switch
 * are injected): nothing here depends on this machine's CPU.
 */
class PrecisionResolverTest {
    private static final OpCheck BAD_CONV = new OpCheck("conv2d 3x3 8->4", 0.093, 0.0245, false);
    private static final PrecisionVerdict PASSES = new PrecisionVerdict("bf16", true, "bf16 passed its self-test.",
            List.of(new OpCheck("conv2d 3x3 8->4", 0.003, 0.0245, true)), false, 0.2, "host");
    private static final PrecisionVerdict FAILS = new PrecisionVerdict("bf16", false, "bf16 failed its self-test.",
            List.of(new OpCheck("cast fp32->bf16 (weights)", 0.001, 0.002, true), BAD_CONV), false, 0.2, "host");

    private final AtomicInteger verdictsAsked = new AtomicInteger();

    private PrecisionResolver host(int gpus, boolean nativeBf16, PrecisionVerdict verdict, boolean emulatedAllowed) {
        Supplier<PrecisionVerdict> v = () -> {
            verdictsAsked.incrementAndGet();
            return verdict;
        };
        return new PrecisionResolver(() -> gpus, () -> nativeBf16, v, () -> emulatedAllowed);
    }

    @Test
    void autoChoosesBf16WhereNativeAndQualified() throws Exception {
        PrecisionResolver.Resolution r = host(0, true, PASSES, false).choose("auto", "auto");
        assertEquals(DataType.BFLOAT16, r.options().precision());
        assertFalse(r.options().device().isGpu());
        assertEquals(DataType.BFLOAT16, r.choice().used());
        assertSame(PASSES, r.choice().verdict());
        assertFalse(r.choice().fellBack());
        assertTrue(r.choice().reason().startsWith("auto: bf16"), r.choice().reason());
    }

    @Test
    void autoChoosesFp32WhereTheVerdictFails() throws Exception {
        PrecisionResolver.Resolution r = host(0, true, FAILS, false).choose("cpu", "auto");
        assertEquals(DataType.FLOAT32, r.options().precision());
        assertSame(FAILS, r.choice().verdict());
        assertFalse(r.choice().fellBack(), "auto asked for no particular precision");
        assertTrue(r.choice().reason().contains("conv2d 3x3 8->4 is off by 0.0930 from fp32 (tolerance 0.0245)"),
                r.choice().reason());
    }

    @Test
    void autoChoosesFp32WithoutNativeBf16AndDoesNotRunTheSelfTest() throws Exception {
        PrecisionResolver.Resolution r = host(0, false, PASSES, true).choose("auto", "auto");
        assertEquals(DataType.FLOAT32, r.options().precision());
        assertNull(r.choice().verdict());
        assertEquals(0, verdictsAsked.get(), "the self-test costs time: only where bf16 is considered");
        assertTrue(r.choice().reason().contains("no native bf16"), r.choice().reason());
    }

    @Test
    void explicitBf16ThatFailsFallsBackToFp32WithOneSentence() throws Exception {
        PrecisionResolver.Resolution r = host(0, true, FAILS, false).choose("cpu", "bf16");
        assertEquals(DataType.FLOAT32, r.options().precision());
        assertTrue(r.choice().fellBack());
        assertEquals("bf16", r.choice().requested());
        assertEquals("bf16 was requested but failed its self-test on this host (conv2d 3x3 8->4 is off by 0.0930 "
                + "from fp32 (tolerance 0.0245)), so fp32 is used instead.", r.choice().reason());
    }

    @Test
    void explicitBf16ThatPassesIsUsed() throws Exception {
        PrecisionResolver.Resolution r = host(0, true, PASSES, false).choose("auto", "bf16");
        assertEquals(DataType.BFLOAT16, r.options().precision());
        assertFalse(r.choice().fellBack());
    }

    @Test
    void emulatedBf16IsRefusedUnlessAllowedAndThenStillQualified() throws Exception {
        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> host(0, false, PASSES, false).choose("cpu", "bf16"));
        assertTrue(refused.getMessage().contains("native bfloat16"), refused.getMessage());
        assertEquals(0, verdictsAsked.get());

        PrecisionResolver.Resolution allowed = host(0, false, PASSES, true).choose("cpu", "bf16");
        assertEquals(DataType.BFLOAT16, allowed.options().precision());
        assertTrue(allowed.choice().reason().contains("emulated"), allowed.choice().reason());
        assertEquals(DataType.FLOAT32, host(0, false, FAILS, true).choose("cpu", "bf16").options().precision());
    }

    @Test
    void gpuRules() throws Exception {
        PrecisionResolver.Resolution auto = host(1, true, FAILS, false).choose("auto", "auto");
        assertTrue(auto.options().device().isGpu());
        assertEquals(DataType.FLOAT16, auto.options().precision());
        assertEquals(0, verdictsAsked.get());
        assertEquals(DataType.FLOAT32, host(1, true, FAILS, false).choose("gpu", "fp32").options().precision());
        assertThrows(InvalidRequestException.class, () -> host(1, true, PASSES, false).choose("gpu", "bf16"));
        InvalidRequestException none = assertThrows(InvalidRequestException.class,
                () -> host(0, true, PASSES, false).choose("gpu", "auto"));
        assertTrue(none.getMessage().contains("sees none"), none.getMessage());
    }

    @Test
    void explicitFp32AndFp16OnTheCpuAreKept() throws Exception {
        assertEquals(DataType.FLOAT32, host(0, true, PASSES, false).choose("cpu", "fp32").options().precision());
        assertEquals(DataType.FLOAT16, host(0, true, PASSES, false).choose("cpu", "fp16").options().precision());
        assertEquals(0, verdictsAsked.get());
    }

    @Test
    void unknownNamesAreRefused() {
        PrecisionResolver r = host(0, true, PASSES, false);
        assertThrows(InvalidRequestException.class, () -> r.choose("tpu", "auto"));
        assertThrows(InvalidRequestException.class, () -> r.choose("cpu", "int8"));
    }

    @Test
    void optionsBuiltInCodeAreSettledLikeAnExplicitRequest() throws Exception {
        ModelOptions bf16 = ModelOptions.cpu().withPrecision(DataType.BFLOAT16).withNormGroups(2);
        PrecisionResolver.Resolution failed = host(0, true, FAILS, false).settle(bf16);
        assertEquals(DataType.FLOAT32, failed.options().precision());
        assertEquals(2, failed.options().normGroups(), "the other options are kept");
        assertTrue(failed.choice().fellBack());
        assertEquals(DataType.BFLOAT16, host(0, true, PASSES, false).settle(bf16).options().precision());
        assertThrows(InvalidRequestException.class, () -> host(0, false, PASSES, false).settle(bf16));
        PrecisionResolver.Resolution fp32 = host(0, true, FAILS, false).settle(ModelOptions.cpu());
        assertEquals(DataType.FLOAT32, fp32.options().precision());
        assertEquals(2, verdictsAsked.get(), "the refusal and fp32 need no verdict");
    }
}
