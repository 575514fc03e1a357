package org.diffusej.engine.vae;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TAESD ({@code taesd/}) against diffusers' {@code AutoencoderTiny} and madebyollin's original Sequential
 * ({@code reference/taesd.safetensors}), from the diffusers folder and from the original encoder/decoder files.
 * fp32 tolerance atol/rtol 1e-4, as for the SD VAE ({@link VaeParityTest}): 19 convolutions deep, float32 sums in a
 * different order than torch's give ~1e-6 differences, a wrong layer or index gives O(1).
 */
class TaesdParityTest {
    static final double TOL = 1e-4;

    static Path taesd(String layout) {
        Path root = Fixtures.variant("taesd");
        return switch (layout) {
            case "diffusers" -> root.resolve("diffusers");
            case "decoder-file" -> root.resolve("taesd_decoder.safetensors");
            case "encoder-file" -> root.resolve("taesd_encoder.safetensors");
            default -> root;                     // the folder holding the two original files
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"diffusers", "decoder-file", "encoder-file", "original-folder"})
    void decoderAndEncoderMatchDiffusers(String layout) throws Exception {
        try (TaesdWeightSource w = TaesdWeightSource.open(taesd(layout));
             NDManager m = NDManager.newBaseManager();
             Taesd t = Taesd.load(w, m, DataType.FLOAT32);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("taesd", "taesd.safetensors"))) {
            assertTrue(t.hasEncoder() && t.hasDecoder(), layout + ": both halves found");
            assertEquals(4, t.latentChannels());
            assertAllClose(ref.load("decoder_output_1", m), t.decode(ref.load("decoder_input_1", m)), TOL, TOL,
                    layout + " decoder_output_1");
            assertAllClose(ref.load("decoder_output_2", m), t.decode(ref.load("decoder_input_2", m)), TOL, TOL,
                    layout + " decoder_output_2 (batch 2, 128²)");
            assertAllClose(ref.load("encoder_output", m), t.encode(ref.load("image_m11", m)), TOL, TOL,
                    layout + " encoder_output");
            assertAllClose(ref.load("roundtrip_decoded", m), t.decode(t.encode(ref.load("image_m11", m))), TOL, TOL,
                    layout + " roundtrip");
        }
    }

    /** The original [0, 1] convention is the same network: decode = 2·original − 1. */
    @Test
    void originalConventionIsAffineImageOfOurs() throws Exception {
        try (TaesdWeightSource w = TaesdWeightSource.open(taesd("decoder-file"));
             NDManager m = NDManager.newBaseManager();
             Taesd t = Taesd.load(w, m, DataType.FLOAT32);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("taesd", "taesd.safetensors"))) {
            assertAllClose(ref.load("decoder_output_1_original01", m),
                    t.decode(ref.load("decoder_input_1", m)).add(1f).div(2f), TOL, TOL, "original [0,1] output");
        }
    }

    @Test
    void decoderAloneLoadsWithoutEncoder(@TempDir Path dir) throws Exception {
        Path only = Files.copy(taesd("decoder-file"), dir.resolve("taesdxl_decoder.safetensors"));
        try (TaesdWeightSource w = TaesdWeightSource.open(only);
             NDManager m = NDManager.newBaseManager();
             Taesd t = Taesd.load(w, m, DataType.FLOAT32)) {
            assertTrue(t.hasDecoder());
            assertFalse(t.hasEncoder());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> t.encode(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 8, 8))));
            assertTrue(e.getMessage().contains("no encoder"), e.getMessage());
        }
    }

    @Test
    void unrelatedInputsAreRefusedWithWhatWasExpected(@TempDir Path dir) throws Exception {
        InvalidCheckpointException empty = assertThrows(InvalidCheckpointException.class, () -> TaesdWeightSource.open(dir));
        assertTrue(empty.getMessage().contains("taesd_decoder.safetensors"), empty.getMessage());
        Path vae = Fixtures.diffusersDir("sd1-tiny").resolve("vae").resolve("diffusion_pytorch_model.safetensors");
        InvalidCheckpointException named = assertThrows(InvalidCheckpointException.class, () -> TaesdWeightSource.open(vae));
        assertTrue(named.getMessage().contains("encoder or decoder"), named.getMessage());
        Path sdVaeNamedLikeTaesd = Files.copy(vae, dir.resolve("taesd_decoder.safetensors"));
        InvalidCheckpointException wrong = assertThrows(InvalidCheckpointException.class,
                () -> { try (TaesdWeightSource w = TaesdWeightSource.open(sdVaeNamedLikeTaesd);
                             NDManager m = NDManager.newBaseManager()) { Taesd.load(w, m, DataType.FLOAT32).close(); } });
        assertTrue(wrong.getMessage().contains("tiny autoencoder") || wrong.getMessage().contains("tensor"), wrong.getMessage());
    }
}
