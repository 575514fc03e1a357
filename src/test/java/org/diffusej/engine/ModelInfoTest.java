package org.diffusej.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A model's name comes from its file or folder, never from the generic "diffusers" folder name. */
class ModelInfoTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"/m/v1-5-pruned.safetensors,false,v1-5-pruned", "/m/sd15/diffusers,true,sd15",
            "/m/sd15/Diffusers/,true,sd15", "/m/my-model,true,my-model", "relative/dream.ckpt,false,dream",
            "/hf/models--runwayml--stable-diffusion-v1-5/snapshots/0123abc,true,stable-diffusion-v1-5",
            "/other/snapshots/0123abc,true,0123abc"})
    void namesFilesAndFolders(String location, boolean folder, String name) {
        assertEquals(name, ModelInfo.nameOf(Path.of(location), folder));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sd15,0123456789,sd15 [0123456789]", "sd15,'',sd15"})
    void titleIsNameAndHash(String name, String hash, String title) {
        assertEquals(title, new ModelInfo(name, "/x", hash, "SD1", false, false).title());
    }

    @ParameterizedTest(name = "{0} v={1}")
    @CsvSource({"SD1,false,512", "SD1,true,512", "SD2,false,512", "SD2,true,768", "SDXL,false,1024", "other,false,512"})
    void defaultSizeFollowsFamilyAndPrediction(String family, boolean vPrediction, int size) {
        assertEquals(size, new ModelInfo("m", "/x", "", family, false, vPrediction).defaultSize());
    }
}
