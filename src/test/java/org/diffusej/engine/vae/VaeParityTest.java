package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
 * VAE from the LDM single-file checkpoints against diffusers ({@code reference/vae.safetensors}).
 * fp32: atol/rtol 1e-4. fp16 (norms and softmax in fp32): atol/rtol 1e-2, the same reasoning as for the UNet — fp16's
 * 5e-4 relative step accumulated over ~15 layers; a wrong layer gives O(1) errors. bfloat16 compute (convolutions in
 * bf16): atol/rtol 5e-2 — 8× fp16's step; measured 2.4–3.5e-2 on moments and up to 7.1e-2 absolute on decoder outputs
 * of magnitude ~2 (within atol + rtol·|expected|). bf16 rows run where bf16 passes its self-test on this host
 * ({@link Bf16Gate}).
 */
class VaeParityTest {
    @ParameterizedTest
    @CsvSource({"sd1-tiny,FLOAT32", "sd1-inpaint-tiny,FLOAT32", "sd2-tiny,FLOAT32", "sd15-shape,FLOAT32",
            "sdxl-tiny,FLOAT32", "sd1-tiny,FLOAT16", "sd1-inpaint-tiny,FLOAT16", "sd2-tiny,FLOAT16", "sd15-shape,FLOAT16",
            "sd1-tiny,BFLOAT16", "sd2-tiny,BFLOAT16", "sd15-shape,BFLOAT16"})
    void singleFileMatchesDiffusers(String variant, DataType dtype) throws Exception {
        try (WeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)))) {
            check(variant, w, dtype);
        }
    }

    /** The diffusers-folder layout (mid attention stored as linear layers there) gives the same network. */
    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny", "sdxl-tiny"})
    void diffusersFolderMatchesDiffusers(String variant) throws Exception {
        try (WeightSource w = DiffusersFolderWeightSource.open(Fixtures.diffusersDir(variant))) {
            check(variant, w, DataType.FLOAT32);
        }
    }

    /** Group-norm groups are not in LDM files: they come from the variant's diffusers config. */
    private static void check(String variant, WeightSource w, DataType dtype) throws Exception {
        if (dtype == DataType.BFLOAT16) Bf16Gate.assumeBf16Qualifies(variant);
        double tol = dtype == DataType.FLOAT32 ? 1e-4 : dtype == DataType.FLOAT16 ? 1e-2 : 5e-2;
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "vae.safetensors"));
             Vae vae = Vae.load(w, VaeConfig.detect(w, Fixtures.vaeGroups(variant)), m, dtype)) {
            NDArray moments = vae.encodeMoments(ref.load("image", m));
            assertEquals(DataType.FLOAT32, moments.getDataType());
            assertAllClose(ref.load("moments", m), moments, tol, tol, variant + " " + dtype + " moments");
            assertAllClose(ref.load("decoder_output", m), vae.decode(ref.load("decoder_input", m)), tol, tol,
                    variant + " " + dtype + " decoder_output");
        }
    }
}
