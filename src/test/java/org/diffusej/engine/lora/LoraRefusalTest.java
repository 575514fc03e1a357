package org.diffusej.engine.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRAs that must be refused with a sentence, and a model left untouched: pickles, SDXL LoRAs on SD1, LyCORIS tensors,
 * modules with no layer (also when only some do not match), an SD1 LoRA on an SD2 model (layer shapes), bad prompt
 * tags and unknown names. Crafted files reuse the fixture LoRA's tensors under other keys.
 */
class LoraRefusalTest {
    @TempDir Path dir;

    static final Path KOHYA = Fixtures.lora("kohya_alpha1.safetensors");

    @Test
    void pickleIsNeverOpened() throws Exception {
        Path pt = Files.write(dir.resolve("style.pt"), new byte[] {(byte) 0x80, 2, 0, 0});
        assertTrue(assertThrows(InvalidLoraException.class, () -> LoraFile.open(pt)).getMessage().contains("pickle"));
        Path disguised = Files.write(dir.resolve("style.safetensors"), new byte[] {'P', 'K', 3, 4, 0, 0});
        assertTrue(assertThrows(InvalidLoraException.class, () -> LoraFile.open(disguised)).getMessage().contains("pickle"));
    }

    /** A LoRA with SDXL's text-encoder keys (and a UNet no SD1 model has) on sd1-tiny: refused, naming SDXL. */
    @Test
    void sdxlLoraOnAnSd1ModelIsRefused() throws Exception {
        Path f = renamed("xl.safetensors", k -> k.replace("lora_te_", "lora_te1_").replace("lora_unet_", "lora_unet_input_blocks_7_"));
        assertTrue(LoraFile.open(f).isSdxl());
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.singleFile("sd1-tiny")); NDManager m = NDManager.newBaseManager()) {
            LoraPatcher patcher = patcher(c, m, "sd1-tiny");
            String msg = assertThrows(InvalidLoraException.class,
                    () -> patcher.apply(List.of(LoraUse.of(LoraFile.open(f), 1.0)))).getMessage();
            assertTrue(msg.contains("SDXL LoRA") && msg.contains("Nothing was applied"), msg);
            assertEquals(0, patcher.patchedBytes());
        }
    }

    @Test
    void lycorisTensorsAreNamed() throws Exception {
        Path f = renamed("loha.safetensors", k -> k.replace(".lora_down.weight", ".hada_w1_a"));
        String msg = assertThrows(InvalidLoraException.class, () -> LoraFile.open(f)).getMessage();
        assertTrue(msg.contains("hada_w1_a") && msg.contains("LoHa"), msg);
    }

    @Test
    void unknownAndPartlyMatchingModulesAreRefusedWithoutTouchingTheModel() throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.singleFile("sd1-tiny")); NDManager m = NDManager.newBaseManager()) {
            LoraPatcher patcher = patcher(c, m, "sd1-tiny");
            Path partly = renamed("partly.safetensors",
                    k -> k.replace("lora_unet_mid_block_resnets_0_conv1", "lora_unet_mid_block_resnets_7_conv1"));
            String msg = assertThrows(InvalidLoraException.class,
                    () -> patcher.apply(List.of(LoraUse.of(LoraFile.open(partly), 1.0)))).getMessage();
            assertTrue(msg.contains("lora_unet_mid_block_resnets_7_conv1") && msg.contains("1 of 76"), msg);
            Path none = renamed("none.safetensors", k -> k.replace("lora_unet_", "lora_unet_foo_").replace("lora_te_", "lora_te_bar_"));
            msg = assertThrows(InvalidLoraException.class,
                    () -> patcher.apply(List.of(LoraUse.of(LoraFile.open(none), 1.0)))).getMessage();
            assertTrue(msg.contains("matches no layer"), msg);
            assertTrue(patcher.applied().isEmpty());
            assertEquals(0, patcher.patchedBytes(), "nothing half-applied");
        }
    }

    /** The sd1-tiny LoRA on the sd2-tiny model: other widths, refused by shape, naming the text-encoder widths. */
    @Test
    void loraForAnotherArchitectureIsRefused() throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.singleFile("sd2-tiny")); NDManager m = NDManager.newBaseManager()) {
            LoraPatcher patcher = patcher(c, m, "sd2-tiny");
            String msg = assertThrows(InvalidLoraException.class,
                    () -> patcher.apply(List.of(LoraUse.of(LoraFile.open(KOHYA), 1.0)))).getMessage();
            assertTrue(msg.contains("another model architecture") && msg.contains("text-encoder layers are 8 wide"), msg);
            assertEquals(0, patcher.patchedBytes());
        }
    }

    @Test
    void badTagsAndUnknownNames() throws Exception {
        LoraPrompt p = LoraPrompt.parse("a cat <lora:style:0.5> <lora:detail:0.25:1> <lora:x:unet=0.3>");
        assertEquals("a cat   ", p.prompt());
        assertEquals(new LoraPrompt.Tag("style", 0.5, 0.5), p.tags().get(0));
        assertEquals(new LoraPrompt.Tag("detail", 0.25, 1), p.tags().get(1));
        assertEquals(new LoraPrompt.Tag("x", 1, 0.3), p.tags().get(2));
        assertTrue(assertThrows(InvalidLoraException.class, () -> LoraPrompt.parse("<lora:s:strong>")).getMessage()
                .contains("'strong' is not a multiplier"));
        String msg = assertThrows(InvalidLoraException.class,
                () -> LoraLibrary.of(List.of(dir)).resolve("missing")).getMessage();
        assertTrue(msg.contains("missing.safetensors") && msg.contains(dir.toString()), msg);
        assertFalse(LoraLibrary.of(List.of(KOHYA.getParent())).list().isEmpty());
    }

    private static LoraPatcher patcher(Checkpoint c, NDManager m, String variant) throws Exception {
        UNet unet = UNet.load(c.weights(), Fixtures.unetConfig(variant, c.weights()), m, DataType.FLOAT32);
        int heads = variant.equals("sd2-tiny") ? 4 : 2;
        TextEncoder text = TextEncoder.load(c.weights(), TextEncoder.Config.detect(c.weights(), heads, null), m, DataType.FLOAT32);
        return new LoraPatcher(unet, text, m);
    }

    /** The fixture LoRA with every key passed through {@code rename}, F32 data copied. */
    private Path renamed(String name, java.util.function.UnaryOperator<String> rename) throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(KOHYA)) {
            for (String k : f.names()) w.putFloats(rename.apply(k), f.info(k).shape(), f.readFloats(k));
        }
        return w.write(dir.resolve(name));
    }
}
