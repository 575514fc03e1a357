package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.lora.InvalidLoraException;
import org.diffusej.engine.lora.ModelLoras;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRAs are not mapped onto SDXL's two text encoders yet: a prompt naming one is refused with a sentence, a prompt
 * without LoRA tags runs unchanged (sdxl-tiny).
 */
class SdxlLoraRefusalTest {
    @Test
    void loraTagsOnSdxlAreRefusedPlainPromptsPass() throws Exception {
        try (StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sdxl-tiny"), ModelOptions.cpu())) {
            assertNull(model.loras().patcher());
            ModelLoras.Activation plain = model.loras().activate("a red cube");
            assertEquals("a red cube", plain.prompt());
            assertTrue(plain.uses().isEmpty());
            assertNull(plain.hashesText());
            String msg = assertThrows(InvalidLoraException.class,
                    () -> model.loras().activate("a red cube <lora:detail:0.8>")).getMessage();
            assertTrue(msg.contains("SDXL") && msg.contains("detail"), msg);
        }
    }
}
