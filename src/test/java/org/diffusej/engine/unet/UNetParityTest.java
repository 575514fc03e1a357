package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.runtime.Bf16Gate;
import org.diffusej.engine.weights.DiffusersFolderWeightSource;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.diffusej.engine.weights.WeightSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * UNet from the LDM single-file checkpoints against diffusers' outputs ({@code reference/unet.safetensors}).
 * fp32: atol/rtol 1e-4 (the fixtures README measured ~1e-6 between thread counts for values ~2).
 * fp16 weights and activations (norms and softmax in fp32): atol 1e-2 / rtol 1e-2 — fp16 has a 2^-11 ≈ 5e-4 relative
 * step, and ~20 rounded layers in series accumulate to 2–4e-3 measured on outputs of magnitude ~1–3; 1e-2 leaves headroom
 * while still catching any wrong layer (those give O(1) errors).
 * bfloat16 compute (convolutions and linear layers in bf16, the rest fp32): atol/rtol 5e-2 — bf16's relative step is
 * 2^-8, 8× fp16's, and the measured errors are 1.2–2e-2 (6× fp16's). bf16 rows run where bf16 passes its self-test on
 * this host ({@link Bf16Gate}).
 */
class UNetParityTest {
    @ParameterizedTest
    @CsvSource({"sd1-tiny,FLOAT32", "sd1-inpaint-tiny,FLOAT32", "sd2-tiny,FLOAT32", "sd15-shape,FLOAT32",
            "sd1-tiny,FLOAT16", "sd1-inpaint-tiny,FLOAT16", "sd2-tiny,FLOAT16", "sd15-shape,FLOAT16",
            "sd1-tiny,BFLOAT16", "sd1-inpaint-tiny,BFLOAT16", "sd2-tiny,BFLOAT16", "sd15-shape,BFLOAT16"})
    void singleFileMatchesDiffusers(String variant, DataType dtype) throws Exception {
        try (WeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)))) {
            check(variant, w, dtype);
        }
    }

    /** The diffusers-folder layout (through KeyMapping) gives the same network. sd15-shape ships no folder. */
    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd1-inpaint-tiny", "sd2-tiny"})
    void diffusersFolderMatchesDiffusers(String variant) throws Exception {
        try (WeightSource w = DiffusersFolderWeightSource.open(Fixtures.diffusersDir(variant))) {
            check(variant, w, DataType.FLOAT32);
        }
    }

    private static void check(String variant, WeightSource w, DataType dtype) throws Exception {
        if (dtype == DataType.BFLOAT16) Bf16Gate.assumeBf16Qualifies(variant);
        double tol = dtype == DataType.FLOAT32 ? 1e-4 : dtype == DataType.FLOAT16 ? 1e-2 : 5e-2;
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "unet.safetensors"));
             UNet unet = UNet.load(w, Fixtures.unetConfig(variant, w), m, dtype)) {
            NDArray sample = ref.load("sample", m);
            NDArray context = ref.load("encoder_hidden_states", m);
            String[][] cases = {{"999", "out_t999"}, {"421", "out_t421"}, {"57.25", "out_t57p25"}};
            for (String[] c : cases) {
                NDArray t = m.create(new float[] {Float.parseFloat(c[0])}, new Shape(1));
                NDArray out = unet.forward(sample, t, context);
                assertEquals(DataType.FLOAT32, out.getDataType());
                assertAllClose(ref.load(c[1], m), out, tol, tol, variant + " " + dtype + " " + c[1]);
            }
            NDArray batchT = ref.load("timesteps_batch", m);
            assertAllClose(ref.load("out_t_batch", m), unet.forward(sample, batchT, context), tol, tol,
                    variant + " " + dtype + " out_t_batch");
        }
    }
}
