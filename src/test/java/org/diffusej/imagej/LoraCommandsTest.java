package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.lora.LoraLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.diffusej.Fixtures;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.engine.lora.LoraFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandModule;

/**
 * Model &amp; Device's LoRA folder ({@code loras=}) on the sd1-tiny fixture with the fixture LoRA: a command's prompt tag
 * {@code <lora:kohya_alpha1:0.8>} changes the image, equals the engine's image with that LoRA and records "Lora hashes" (the file's short hash); setting only the
 * folder keeps the model loaded; Start Krita Bridge lists that folder; a tag naming a missing LoRA, or a folder that does not exist, ends with a message.
 */
class LoraCommandsTest {
    private static final String NAME = "kohya_alpha1";
    /** The commands' default CFG scale (the test passes none). */
    private static final double CFG = 7.0;
    private final AtomicInteger opened = new AtomicInteger();
    private final CommandHarness h = new CommandHarness(new EngineFactory() {
        private final PipelineEngineFactory real = new PipelineEngineFactory();
        @Override public DiffusionEngine open(EngineSettings s) throws DiffusionException {
            opened.incrementAndGet();
            return real.open(s);
        }
        @Override public boolean useLoras(DiffusionEngine e, LoraLibrary l) { return real.useLoras(e, l); }
    });

    @TempDir Path dir;

    @AfterEach
    void close() { h.close(); }

    private CommandModule modelAndDevice(Object loras) throws Exception {
        return h.run(ModelAndDeviceCommand.class, "model", Fixtures.diffusersDir("sd1-tiny").toString(), "device", "cpu",
                "precision", "fp32", "loras", loras, "action", ModelAndDeviceCommand.LOAD);
    }

    private ImagePlus newImage(String prompt) throws Exception {
        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", prompt, "seed", 11L, "steps", 2,
                "sampler", "Euler", "width", 32, "height", 32, "candidates", 1);
        assertFalse(m.isCanceled(), m.getCancelReason());
        return (ImagePlus) m.getOutput("result");
    }

    @Test
    void promptTagsUseTheChosenFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("loras"));
        Files.copy(Fixtures.lora(NAME + ".safetensors"), folder.resolve(NAME + ".safetensors"));
        modelAndDevice(null);
        ImagePlus without = newImage("a tree");
        assertTrue(h.diffusion.isLoaded());
        CommandModule set = modelAndDevice(folder.toFile());
        assertFalse(set.isCanceled(), set.getCancelReason());
        assertEquals(folder.toString(), h.diffusion.settings().loras());
        assertEquals(1, opened.get(), "a new LoRA folder keeps the loaded model");

        ImagePlus with = newImage("a tree <lora:" + NAME + ":0.8>");
        assertFalse(Arrays.equals((int[]) without.getProcessor().getPixels(), (int[]) with.getProcessor().getPixels()),
                "the LoRA changes the image");
        RgbImage engine = LoraRuns.engineImage(Fixtures.diffusersDir("sd1-tiny"), folder, Request.builder(Mode.TXT2IMG)
                .prompt("a tree <lora:" + NAME + ":0.8>").negativePrompt("").cfgScale(CFG).seed(11).steps(2)
                .sampler("Euler").size(32, 32).build());
        double d = LoraRuns.maxDiff(engine, ImageConversion.toRgb(with));
        assertTrue(d <= 1 / 255.0 + 1e-6, "the command's image equals the engine's with the LoRA (8-bit RGB): " + d);
        String params = (String) with.getProp(Provenance.KEY);
        String hash = LoraFile.open(Fixtures.lora(NAME + ".safetensors")).shortHash();
        assertEquals(NAME + ": " + hash, String.valueOf(Infotext.parse(params).get("Lora hashes")), params);
        assertArrayEquals((int[]) without.getProcessor().getPixels(), (int[]) newImage("a tree").getProcessor().getPixels(),
                "without the tag the base model is back exactly");
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        assertEquals(1, opened.get(), "applying and removing LoRAs never reloads");

        KritaBridgeService bridge = h.context.service(KritaBridgeService.class);
        String url = bridge.start(0, null);
        try (InputStream in = URI.create(url + "/sdapi/v1/loras").toURL().openStream()) {
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(list.contains("\"name\":\"" + NAME + "\"") && list.contains("\"path\":\"" + NAME + ".safetensors\""),
                    "Fiji's bridge lists Fiji's folder: " + list);
        } finally {
            bridge.stop();
        }

        CommandModule missing = h.run(NewImageFromPromptCommand.class, "prompt", "a tree <lora:not_there:1>", "seed", 1L,
                "steps", 1, "width", 32, "height", 32, "candidates", 1);
        assertTrue(missing.isCanceled());
        assertTrue(missing.getCancelReason().contains("not_there"), missing.getCancelReason());
    }

    @Test
    void aFolderThatDoesNotExistIsRefused() throws Exception {
        CommandModule m = modelAndDevice(new File(dir.resolve("nowhere").toString()));
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("LoRA folder") && m.getCancelReason().contains("nowhere"), m.getCancelReason());
        assertEquals("", h.diffusion.settings().loras(), "the settings stay as they were");
    }
}
