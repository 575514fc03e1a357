package org.diffusej.engine.unet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.InvalidCheckpointException;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration detection from shapes and the parameter list a configuration implies. */
class UNetConfigTest {
    private static final String PREFIX = "model.diffusion_model.";

    @Test
    void detectsSd15ShapeAndSd2Tiny() throws Exception {
        try (SafetensorsWeightSource w = open("sd15-shape")) {
            // LDM yaml: model_channels 32, channel_mult [1,2,2,2], num_res_blocks 2, attention_resolutions [4,2,1]
            assertEquals(new UNetConfig(4, 32, List.of(1, 2, 2, 2), 2, List.of(0, 1, 2), UNetConfig.SD1_HEADS, 0, 32,
                    false, 32, 1), UNetConfig.detect(w, 32));
        }
        try (SafetensorsWeightSource w = open("sd2-tiny")) {
            assertEquals(new UNetConfig(4, 32, List.of(1, 2), 2, List.of(1), 0, UNetConfig.SD2_HEAD_CHANNELS, 32,
                    true, 32, 1), UNetConfig.detect(w, 32));
        }
        try (SafetensorsWeightSource w = open("sd1-inpaint-tiny")) {
            assertEquals(new UNetConfig(9, 4, List.of(1, 2), 1, List.of(1), UNetConfig.SD1_HEADS, 0, 8,
                    false, 2, 1), UNetConfig.detect(w, 2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd1-inpaint-tiny", "sd2-tiny", "sd15-shape"})
    void parameterShapesAreExactlyTheCheckpointsUNetTensors(String variant) throws Exception {
        try (SafetensorsWeightSource w = open(variant)) {
            Map<String, List<Long>> inFile = new TreeMap<>();
            for (String name : w.names())
                if (name.startsWith(PREFIX)) inFile.put(name, asList(w.shape(name)));
            Map<String, List<Long>> expected = new TreeMap<>();
            UNet.parameterShapes(UNetConfig.detect(w, 2)).forEach((k, v) -> expected.put(k, asList(v)));
            assertEquals(inFile, expected);
        }
    }

    @Test
    void realModelParameterCounts() {
        // published UNet sizes: SD1.5 859,520,964 and SD2.x 865,910,724 parameters
        assertEquals(859_520_964L, count(UNet.parameterShapes(UNetConfig.sd1())));
        assertEquals(865_910_724L, count(UNet.parameterShapes(UNetConfig.sd2())));
        assertEquals(count(UNet.parameterShapes(UNetConfig.sd1())) + 5L * 320 * 9,
                count(UNet.parameterShapes(UNetConfig.sd1().withInChannels(9))));
    }

    @Test
    void aConfigThatDoesNotFitTheCheckpointIsRefusedWithTheTensorName() throws Exception {
        try (SafetensorsWeightSource w = open("sd2-tiny"); NDManager m = NDManager.newBaseManager()) {
            InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                    () -> UNet.load(w, UNetConfig.sd2(), m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("model.diffusion_model.time_embed.0.weight"), e.getMessage());
        }
    }

    static long count(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }

    private static List<Long> asList(long[] shape) {
        return Arrays.stream(shape).boxed().toList();
    }

    private static SafetensorsWeightSource open(String variant) throws Exception {
        return new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)));
    }
}
