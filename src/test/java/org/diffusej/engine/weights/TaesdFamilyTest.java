package org.diffusej.engine.weights;

import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TAESD vs TAESDXL by the model's family: a folder holding both gives the one for the model's latents; a tiny
 * autoencoder named for other latents is refused with a sentence naming the right one. The fixture's TAESD files
 * are copied under both names (the networks are the same; only the weights, and so the name, differ).
 */
class TaesdFamilyTest {
    @TempDir Path dir;

    private Path both() throws Exception {
        Path src = Fixtures.variant("taesd");
        for (String kind : new String[] {"taesd", "taesdxl"})
            for (String half : new String[] {"decoder", "encoder"})
                Files.copy(src.resolve("taesd_" + half + ".safetensors"), dir.resolve(kind + "_" + half + ".safetensors"));
        return dir;
    }

    @Test
    void folderWithBothGivesTheFamilysOwn() throws Exception {
        Path folder = both();
        try (TaesdWeightSource xl = TaesdWeightSource.open(folder, ModelFamily.SDXL);
             TaesdWeightSource sd = TaesdWeightSource.open(folder, ModelFamily.SD1)) {
            assertEquals("taesdxl_decoder.safetensors", xl.location().getFileName().toString());
            assertTrue(xl.hasEncoder() && xl.hasDecoder());
            assertEquals("taesd_decoder.safetensors", sd.location().getFileName().toString());
        }
    }

    @Test
    void mismatchIsRefusedWithASentence() throws Exception {
        Path folder = both();
        String onXl = assertThrows(InvalidCheckpointException.class,
                () -> TaesdWeightSource.open(folder.resolve("taesd_decoder.safetensors"), ModelFamily.SDXL)).getMessage();
        assertTrue(onXl.contains("TAESD,") && onXl.contains("SDXL") && onXl.contains("taesdxl_decoder"), onXl);
        String onSd2 = assertThrows(InvalidCheckpointException.class,
                () -> TaesdWeightSource.open(folder.resolve("taesdxl_encoder.safetensors"), ModelFamily.SD2)).getMessage();
        assertTrue(onSd2.contains("TAESDXL") && onSd2.contains("taesd_decoder"), onSd2);
        // a folder with only SD1's files (ComfyUI's vae_approx) on an SDXL model: refused by the file it would use
        Path approx = Files.createDirectory(dir.resolve("vae_approx"));
        Files.copy(folder.resolve("taesd_decoder.safetensors"), approx.resolve("taesd_decoder.safetensors"));
        assertThrows(InvalidCheckpointException.class, () -> TaesdWeightSource.open(approx, ModelFamily.SDXL));
        Path taef1 = Files.copy(folder.resolve("taesd_decoder.safetensors"), dir.resolve("taef1_decoder.safetensors"));
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> TaesdWeightSource.open(taef1, ModelFamily.SD1))
                .getMessage().contains("Flux"));
    }

    @Test
    void kindsFromNames() {
        assertEquals("taesdxl", TaesdWeightSource.kindOf(Path.of("/m/taesdxl/vae")));
        assertEquals("taesd", TaesdWeightSource.kindOf(Path.of("taesd_decoder.safetensors")));
        assertEquals("taesd3", TaesdWeightSource.kindOf(Path.of("taesd3_decoder.safetensors")));
        assertNull(TaesdWeightSource.kindOf(Path.of("/m/tiny-autoencoder")));
    }
}
