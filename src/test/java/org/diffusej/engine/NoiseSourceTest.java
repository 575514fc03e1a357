package org.diffusej.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Seeded noise equals torch's: the scheduler references drew every step's noise ({@code step_noise}) from
 * {@code torch.Generator().manual_seed(seed)}, the seed being what {@code schedulers.json} records for the file
 * ({@code step_loop.generator_seed}); bit-identical values are expected (tolerance 0).
 */
class NoiseSourceTest {
    static final Shape LATENT = new Shape(1, 4, 8, 8);
    static final String FILE = "EulerAncestralDiscreteScheduler_10.safetensors";

    /** The generator seed of the recorded step noise. */
    static long recordedSeed() {
        return Fixtures.schedulerRun("sd1-tiny", FILE).getAsJsonObject("step_loop").get("generator_seed").getAsLong();
    }

    @Test
    void seededNoiseEqualsTorchManualSeedRandn() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.reference("sd1-tiny", "schedulers/" + FILE));
             NDManager m = NDManager.newBaseManager()) {
            float[] first = f.load("step_noise", m).get(0).toFloatArray();
            assertArrayEquals(first, NoiseSource.seeded(recordedSeed()).next(LATENT, m).toFloatArray(), 0f);
        }
    }

    @Test
    void interleavedSourcesEachContinueTheirOwnSequence() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.reference("sd1-tiny", "schedulers/" + FILE));
             NDManager m = NDManager.newBaseManager()) {
            NDArray stepNoise = f.load("step_noise", m);
            NoiseSource a = NoiseSource.seeded(recordedSeed());
            NoiseSource other = NoiseSource.seeded(recordedSeed() + 1);
            for (int k = 0; k < stepNoise.getShape().get(0); k++) {
                other.next(LATENT, m); // another batch item drawing in between
                assertArrayEquals(stepNoise.get(k).toFloatArray(), a.next(LATENT, m).toFloatArray(), 0f, "draw " + k);
            }
        }
    }

    @Test
    void replayHandsOutRecordedTensorsAndFailsPastTheEnd() {
        try (NDManager m = NDManager.newBaseManager()) {
            NoiseSource r = NoiseSource.replay(List.of(m.ones(LATENT)));
            assertArrayEquals(m.ones(LATENT).toFloatArray(), r.next(LATENT, m).toFloatArray(), 0f);
            assertThrows(IllegalStateException.class, () -> r.next(LATENT, m));
        }
    }
}
