package org.diffusej.bridge;

import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.SdxlLoraTest;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code <lora:…>} tag through the A1111 txt2img endpoint on sdxl-tiny (single file) with a random SDXL LoRA
 * ({@link SdxlLoraTest#writeKohyaLora}): the answer is the engine's image for the same request within one 8-bit step,
 * differs from the untagged image and records "Lora hashes".
 */
class SdxlLoraBridgeTest {
    @TempDir Path dir;

    @Test
    void loraTagOnSdxlGivesTheEngineImage() throws Exception {
        Path loras = Files.createDirectories(dir.resolve("loras"));
        SdxlLoraTest.writeKohyaLora(loras.resolve("xl_random.safetensors"));
        LoraLibrary library = LoraLibrary.of(List.of(loras));
        String prompt = "a photo of a cat <lora:xl_random:0.8>";
        RgbImage expected;
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.singleFile("sdxl-tiny"),
                Fixtures.singleFileOptions("sdxl-tiny")))) {
            p.loras().setLibrary(library);
            expected = p.generate(Request.builder(Mode.TXT2IMG).prompt(prompt).negativePrompt("blurry").seed(7).steps(2)
                    .sampler("Euler").cfgScale(5).size(64, 64).build(), ProgressListener.NONE, new CancellationToken())
                    .images().get(0);
        }
        Pipeline engine = new Pipeline(StableDiffusionModel.load(Fixtures.singleFile("sdxl-tiny"),
                Fixtures.singleFileOptions("sdxl-tiny")));
        engine.loras().setLibrary(library);
        BridgeServer server = BridgeServer.builder(ModelProvider.owned(engine)).port(0).closeModelsOnStop(true)
                .loras(() -> library).build().start();
        try {
            HttpTestClient client = new HttpTestClient(server.url());
            String req = "{\"prompt\":\"%s\",\"negative_prompt\":\"blurry\",\"cfg_scale\":5,\"steps\":2,\"width\":64,"
                    + "\"height\":64,\"seed\":7,\"sampler_name\":\"Euler\"}";
            HttpTestClient.Answer with = client.post("/sdapi/v1/txt2img", String.format(req, prompt));
            assertEquals(200, with.status(), with.body());
            HttpTestClient.Answer without = client.post("/sdapi/v1/txt2img", String.format(req, "a photo of a cat"));
            BufferedImage got = HttpTestClient.decode(with.object().getAsJsonArray("images").get(0).getAsString());
            BufferedImage plain = HttpTestClient.decode(without.object().getAsJsonArray("images").get(0).getAsString());
            int worst = 0, changed = 0;
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    for (int c = 0; c < 3; c++) {
                        int v = got.getRGB(x, y) >> (16 - 8 * c) & 0xff;
                        worst = Math.max(worst, Math.abs(v - (int) Math.round(expected.get(c, x, y) * 255)));
                        changed = Math.max(changed, Math.abs(v - (plain.getRGB(x, y) >> (16 - 8 * c) & 0xff)));
                    }
            assertTrue(worst <= 1, "bridge image vs engine image: max " + worst + " 8-bit steps");
            assertTrue(changed > 4, "the tag changes the image: max " + changed + " steps");
            String info = JsonParser.parseString(with.object().get("info").getAsString()).getAsJsonObject()
                    .getAsJsonArray("infotexts").get(0).getAsString();
            assertTrue(info.contains("Lora hashes: \"xl_random: "), info);
        } finally {
            server.stop();
        }
    }
}
