package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.DiffusersFolderWeightSource;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.diffusej.engine.weights.WeightSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * VAE from the LDM single-file checkpoints against diffusers ({@code reference/vae.safetensors}).
 * fp32: atol/rtol 1e-4. fp16 (norms and softmax in fp32): atol/rtol 1e-2, the same reasoning as for the UNet — fp16's
 * 5e-4 relative step accumulated over ~15 layers; a wrong layer gives O(1) errors. bfloat16 compute (convolutions in
 * bf16): atol/rtol 5e-2 — 8× fp16's step; measured 2.4–3.5e-2 on moments and up to 7.1e-2 absolute on decoder outputs
 * of magnitude ~2 (within atol + rtol·|expected|).
 */
class VaeParityTest {
    @ParameterizedTest
    @CsvSource({"sd1-tiny,2,FLOAT32", "sd1-inpaint-tiny,2,FLOAT32", "sd2-tiny,32,FLOAT32", "sd15-shape,32,FLOAT32",
            "sdxl-tiny,4,FLOAT32", "sd1-tiny,2,FLOAT16", "sd1-inpaint-tiny,2,FLOAT16", "sd2-tiny,32,FLOAT16", "sd15-shape,32,FLOAT16",
            "sd1-tiny,2,BFLOAT16", "sd2-tiny,32,BFLOAT16", "sd15-shape,32,BFLOAT16"})
    void singleFileMatchesDiffusers(String variant, int groups, DataType dtype) throws Exception {
        try (WeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)))) {
            check(variant, w, groups, dtype);
        }
    }

    /** The diffusers-folder layout (mid attention stored as linear layers there) gives the same network. */
    @ParameterizedTest
    @CsvSource({"sd1-tiny,2", "sd2-tiny,32", "sdxl-tiny,4"})
    void diffusersFolderMatchesDiffusers(String variant, int groups) throws Exception {
        try (WeightSource w = DiffusersFolderWeightSource.open(Fixtures.diffusersDir(variant))) {
            check(variant, w, groups, DataType.FLOAT32);
        }
    }

    private static void check(String variant, WeightSource w, int groups, DataType dtype) throws Exception {
        double tol = dtype == DataType.FLOAT32 ? 1e-4 : dtype == DataType.FLOAT16 ? 1e-2 : 5e-2;
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "vae.safetensors"));
             Vae vae = Vae.load(w, VaeConfig.detect(w, groups), m, dtype)) {
            NDArray moments = vae.encodeMoments(ref.load("image", m));
            assertEquals(DataType.FLOAT32, moments.getDataType());
            assertAllClose(ref.load("moments", m), moments, tol, tol, variant + " " + dtype + " moments");
            assertAllClose(ref.load("decoder_output", m), vae.decode(ref.load("decoder_input", m)), tol, tol,
                    variant + " " + dtype + " decoder_output");
        }
    }
}
