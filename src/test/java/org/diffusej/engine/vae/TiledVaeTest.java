package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiled VAE decode/encode against untiled on the sd15-shape fixture VAE (SD's 8× topology, random weights, 128²
 * image = 16² latents). Tiles are an approximation (each tile's group norms and attention see only the tile), so the
 * tolerance is on the mean absolute difference relative to the output's value range: at most
 * {@value #MEAN_DIFF_OF_RANGE} with tiles of 3/4 of the image (measured 2% for decode and 3.5% for the encoder's
 * moments here), smaller with larger tiles, and exact once one tile covers the image. Seam-free blending itself is
 * checked exactly in {@code BlendedTilesTest}.
 */
class TiledVaeTest {
    private static final double MEAN_DIFF_OF_RANGE = 0.06;

    @Test
    void tiledDecodeAndEncodeStayCloseToUntiled() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsWeightSource w = new SafetensorsWeightSource(
                     SafetensorsFile.open(Fixtures.singleFile("sd15-shape")));
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd15-shape", "vae.safetensors"));
             Vae vae = Vae.load(w, VaeConfig.detect(w, Fixtures.vaeGroups("sd15-shape")), m, DataType.FLOAT32)) {
            NDArray z = ref.load("decoder_input", m);   // [1, 4, 16, 16]
            NDArray image = ref.load("image", m);       // [1, 3, 128, 128]
            NDArray whole = vae.decode(z);
            NDArray wholeMoments = vae.encodeMoments(image);
            double[] decodeDiff = new double[2], encodeDiff = new double[2];
            int[][] geometries = {{8, 4}, {12, 6}}; // quarter-image tiles, then 3/4-image tiles
            for (int i = 0; i < geometries.length; i++) {
                TiledVae tiled = new TiledVae(vae, geometries[i][0], geometries[i][1], 0);
                NDArray decoded = tiled.decode(z);
                NDArray moments = tiled.encodeMoments(image);
                assertEquals(whole.getShape(), decoded.getShape());
                assertEquals(wholeMoments.getShape(), moments.getShape());
                decodeDiff[i] = meanDiffOfRange("decode " + geometries[i][0], whole, decoded);
                encodeDiff[i] = meanDiffOfRange("encode " + geometries[i][0], wholeMoments, moments);
            }
            assertTrue(decodeDiff[1] < decodeDiff[0] && encodeDiff[1] < encodeDiff[0], "larger tiles, closer");
            assertTrue(decodeDiff[1] <= MEAN_DIFF_OF_RANGE, "decode: " + decodeDiff[1]);
            assertTrue(encodeDiff[1] <= MEAN_DIFF_OF_RANGE, "encode: " + encodeDiff[1]);
            assertEquals(0f, new TiledVae(vae, 16, 4, 0).decode(z).sub(whole).abs().max().getFloat(), 0f,
                    "one tile covering the latent is the untiled decode");
            assertEquals(0f, new TiledVae(vae).decode(z).sub(whole).abs().max().getFloat(), 0f,
                    "below the threshold the VAE runs untiled");
        }
    }

    private static double meanDiffOfRange(String what, NDArray expected, NDArray actual) {
        NDArray diff = expected.sub(actual).abs();
        double range = expected.max().getFloat() - expected.min().getFloat();
        double relative = diff.mean().getFloat() / range;
        System.out.printf("%s: max |diff| %.4f, mean |diff| %.4f = %.4f of the range %.3f%n", what,
                diff.max().getFloat(), diff.mean().getFloat(), relative, range);
        return relative;
    }
}
