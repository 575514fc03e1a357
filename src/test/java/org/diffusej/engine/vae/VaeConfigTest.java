package org.diffusej.engine.vae;

import org.diffusej.Fixtures;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** VAE configuration detection and the parameter list a configuration implies. */
class VaeConfigTest {
    private static final String PREFIX = "first_stage_model.";

    @Test
    void detectsSd15Shape() throws Exception {
        try (SafetensorsWeightSource w = open("sd15-shape")) {
            VaeConfig c = VaeConfig.detect(w, 32);
            assertEquals(new VaeConfig(32, List.of(1, 2, 2, 2), 2, 4, 32, 0.18215), c);
            assertEquals(8, c.downscale());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny", "sd15-shape"})
    void parameterShapesAreExactlyTheCheckpointsVaeTensors(String variant) throws Exception {
        try (SafetensorsWeightSource w = open(variant)) {
            Map<String, List<Long>> inFile = new TreeMap<>();
            for (String name : w.names())
                if (name.startsWith(PREFIX)) inFile.put(name, Arrays.stream(w.shape(name)).boxed().toList());
            Map<String, List<Long>> expected = new TreeMap<>();
            Vae.parameterShapes(VaeConfig.detect(w, 2)).forEach((k, v) -> expected.put(k, Arrays.stream(v).boxed().toList()));
            assertEquals(inFile, expected);
        }
    }

    @Test
    void realVaeParameterCount() {
        // the SD autoencoder (AutoencoderKL, 4-channel latents) has 83,653,863 parameters
        long n = Vae.parameterShapes(VaeConfig.sd()).values().stream()
                .mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
        assertEquals(83_653_863L, n);
    }

    private static SafetensorsWeightSource open(String variant) throws Exception {
        return new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)));
    }
}
