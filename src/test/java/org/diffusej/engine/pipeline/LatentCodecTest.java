package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.image.ImageTensors;
import org.diffusej.engine.vae.BlendedTiles;
import org.diffusej.engine.vae.TiledVae;
import org.diffusej.engine.vae.Vae;
import org.diffusej.engine.vae.VaeConfig;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The pipelines' VAE path ({@link LatentCodec}) decodes in blended tiles above
 * {@link TiledVae#DEFAULT_THRESHOLD_PIXELS} px: a 1040 px decode is exactly the blend of 512 px tiles overlapping by
 * 128 px (computed here from {@link BlendedTiles} directly), and a 256 px decode is exactly the whole-image decode
 * (sd15-shape fixture VAE: SD's 8× topology at small widths).
 */
class LatentCodecTest {

    @Test
    void decodesInTilesOnlyAboveTheThreshold() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsWeightSource w = new SafetensorsWeightSource(
                     SafetensorsFile.open(Fixtures.singleFile("sd15-shape")));
             Vae vae = Vae.load(w, VaeConfig.detect(w, Fixtures.vaeGroups("sd15-shape")), m, DataType.FLOAT32)) {
            LatentCodec codec = new LatentCodec(vae);
            float scaling = (float) vae.config().scalingFactor();
            m.getEngine().setRandomSeed(9);

            NDArray large = m.randomNormal(new Shape(1, 4, 130, 8));  // 1040×64 px: the long edge is over 1024
            NDArray tiles = new BlendedTiles(TiledVae.DEFAULT_LATENT_TILE, TiledVae.DEFAULT_LATENT_OVERLAP)
                    .apply(large.div(scaling), vae::decode, vae.config().downscale());
            assertArrayEquals(pixels(tiles), codec.decode(large).get(0).planes(), 0f, "blended 512 px tiles");
            assertFalse(Arrays.equals(pixels(tiles), pixels(vae.decode(large.div(scaling)))),
                    "tiles differ from the whole-image decode here, so the check above tells them apart");

            NDArray small = m.randomNormal(new Shape(1, 4, 32, 32));  // 256 px
            assertArrayEquals(pixels(vae.decode(small.div(scaling))), codec.decode(small).get(0).planes(), 0f,
                    "the whole image at once");
        }
    }

    private static float[] pixels(NDArray decoded) {
        return ImageTensors.toImages(decoded).get(0).planes();
    }
}
