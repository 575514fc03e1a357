package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.DiffusersFolderWeightSource;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.diffusej.engine.weights.WeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDXL UNet (text_time added embedding, per-level transformer depth, no attention on the first level) against
 * diffusers' outputs ({@code sdxl-tiny/reference/unet.safetensors}, {@code sdxl-inpaint-tiny/...}): the vector
 * conditioning built from the recorded pooled embeddings and time ids, then the UNet at t = 999, 421, 57.25 and a
 * per-sample batch. Tolerances as the SD1/SD2 UNet tests: fp32 atol/rtol 1e-4, fp16 1e-2.
 */
class SdxlUNetParityTest {
    @ParameterizedTest
    @CsvSource({"sdxl-tiny,FLOAT32", "sdxl-inpaint-tiny,FLOAT32", "sdxl-tiny,FLOAT16"})
    void singleFileMatchesDiffusers(String variant, DataType dtype) throws Exception {
        try (WeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)))) {
            check(variant, w, dtype);
        }
    }

    @Test
    void diffusersFolderMatchesDiffusers() throws Exception {
        try (WeightSource w = DiffusersFolderWeightSource.open(Fixtures.diffusersDir("sdxl-tiny"))) {
            check("sdxl-tiny", w, DataType.FLOAT32);
        }
    }

    @Test
    void detectsTheSdxlLayout() throws Exception {
        try (WeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile("sdxl-tiny")))) {
            UNetConfig c = UNetConfig.detect(w, 1);
            assertEquals(List.of(1), c.attentionLevels(), "no attention on the first level");
            assertEquals(2, c.depthAt(1));
            assertEquals(2, c.middleDepth());
            assertEquals(14, c.contextDim());
            assertEquals(64, c.admInChannels());
            assertTrue(c.linearProjection());
            assertEquals(8, MicroConditioning.timeEmbedDim(c.admInChannels(), 16));
        }
    }

    /** SDXL base 1.0's real topology has its published parameter count: 2,567,463,684 in 1680 tensors. */
    @Test
    void realSdxlDepthsArePerLevel() {
        UNetConfig c = new UNetConfig(4, 320, List.of(1, 2, 4), 2, List.of(1, 2), 0, 64, 2048, true, 32, 2,
                List.of(2, 2, 10), 2816);
        long params = 0;
        for (long[] shape : UNet.parameterShapes(c).values()) params += java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        assertEquals(2_567_463_684L, params);
        assertEquals(1680, UNet.parameterShapes(c).size());
        assertEquals(10, c.middleDepth());
        assertEquals(2, c.depthAt(1));
        assertEquals(256, MicroConditioning.timeEmbedDim(2816, 1280));
        assertThrows(IllegalArgumentException.class, () -> new UNetConfig(4, 320, List.of(1, 2, 4), 2, List.of(1, 2),
                0, 64, 2048, true, 32, 2, List.of(2, 10), 2816));
    }

    private static void check(String variant, WeightSource w, DataType dtype) throws Exception {
        double tol = dtype == DataType.FLOAT32 ? 1e-4 : 1e-2;
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "unet.safetensors"));
             UNet unet = UNet.load(w, Fixtures.unetConfig(variant, w), m, dtype)) {
            NDArray sample = ref.load("sample", m);
            NDArray context = ref.load("encoder_hidden_states", m);
            NDArray pooled = ref.load("text_embeds", m);
            int dim = MicroConditioning.timeEmbedDim(unet.config().admInChannels(), (int) pooled.getShape().get(1));
            NDArray y = MicroConditioning.vector(pooled, ref.load("time_ids", m).toType(DataType.FLOAT32, false), dim);
            if (ref.contains("add_embeds")) assertAllClose(ref.load("add_embeds", m), y, 1e-5, 1e-5, variant + " add_embeds");
            String[][] cases = {{"999", "out_t999"}, {"421", "out_t421"}, {"57.25", "out_t57p25"}};
            for (String[] c : cases) {
                NDArray t = m.create(new float[] {Float.parseFloat(c[0])}, new Shape(1));
                assertAllClose(ref.load(c[1], m), unet.forward(sample, t, context, y), tol, tol,
                        variant + " " + dtype + " " + c[1]);
            }
            assertAllClose(ref.load("out_t_batch", m), unet.forward(sample, ref.load("timesteps_batch", m), context, y),
                    tol, tol, variant + " " + dtype + " out_t_batch");
            NDArray t = m.create(new float[] {421f}, new Shape(1));
            assertThrows(IllegalArgumentException.class, () -> unet.forward(sample, t, context));
        }
    }
}
