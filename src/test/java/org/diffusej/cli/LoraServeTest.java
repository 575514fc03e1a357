package org.diffusej.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.LoraFile;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code diffusej serve --loras DIR} on the sd1-tiny fixture: {@code /sdapi/v1/loras} lists the folder's fixture LoRA,
 * a prompt tag changes the image, equals the engine's image with that LoRA (within one 8-bit step) and records
 * "Lora hashes" (the file's short hash), a tag naming a missing LoRA is a
 * 422 that does not reveal the folder's absolute path; a {@code --loras} that is no folder is an input error.
 */
class LoraServeTest {
    private static final String NAME = "kohya_alpha1";
    /** One 8-bit step: the bridge sends PNGs. */
    private static final double PNG_TOL = 1 / 255.0 + 1e-6;

    @TempDir Path dir;

    @Test
    void servedPromptTagsUseTheLoraFolder() throws Exception {
        Path loras = Files.createDirectories(dir.resolve("my loras"));
        Files.copy(Fixtures.lora(NAME + ".safetensors"), loras.resolve(NAME + ".safetensors"));
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
        assertEquals(ExitCode.INPUT, cli.run("serve", "-m", Fixtures.diffusersDir("sd1-tiny").toString(), "--port", "0",
                "--loras", dir.resolve("none").toString()));
        assertTrue(cli.err().contains("--loras") && cli.err().contains("no such folder"), cli.err());
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> cli.run("serve", "-m",
                Fixtures.diffusersDir("sd1-tiny").toString(), "--port", "0", "--quiet", "--loras", loras.toString()));
        String base = cli.awaitServerUrl(60);
        assertTrue(base != null, cli.err());
        try {
            JsonArray list = JsonParser.parseString(call(base, "GET", "/sdapi/v1/loras", null).body).getAsJsonArray();
            assertEquals(1, list.size(), list.toString());
            assertEquals(NAME, list.get(0).getAsJsonObject().get("name").getAsString());
            assertEquals(NAME + ".safetensors", list.get(0).getAsJsonObject().get("path").getAsString());

            String req = "{\"prompt\":\"a cat%s\",\"negative_prompt\":\"\",\"cfg_scale\":7,\"steps\":2,\"width\":64,"
                    + "\"height\":64,\"seed\":1,\"sampler_name\":\"Euler\"}";
            Answer with = call(base, "POST", "/sdapi/v1/txt2img", String.format(req, " <lora:" + NAME + ":0.8>"));
            Answer without = call(base, "POST", "/sdapi/v1/txt2img", String.format(req, ""));
            assertEquals(200, with.status, with.body);
            JsonObject w = JsonParser.parseString(with.body).getAsJsonObject();
            String info = w.get("info").getAsString();
            String hash = LoraFile.open(Fixtures.lora(NAME + ".safetensors")).shortHash();
            assertTrue(info.contains("Lora hashes: \\\"" + NAME + ": " + hash + "\\\"")
                    || info.contains("Lora hashes: " + NAME + ": " + hash), info);
            assertNotEquals(w.getAsJsonArray("images").get(0).getAsString(),
                    JsonParser.parseString(without.body).getAsJsonObject().getAsJsonArray("images").get(0).getAsString(),
                    "the LoRA changes the image");

            RgbImage served = ImageFiles.read(Files.write(dir.resolve("served.png"),
                    Base64.getDecoder().decode(w.getAsJsonArray("images").get(0).getAsString()))).rgb();
            RgbImage engine = LoraRuns.engineImage(Fixtures.diffusersDir("sd1-tiny"), loras, Request.builder(Mode.TXT2IMG)
                    .prompt("a cat <lora:" + NAME + ":0.8>").negativePrompt("").cfgScale(7).steps(2).size(64, 64).seed(1)
                    .sampler("Euler").build());
            assertTrue(LoraRuns.maxDiff(engine, served) <= PNG_TOL, "served image vs engine with the LoRA: max |diff| "
                    + LoraRuns.maxDiff(engine, served));

            Answer missing = call(base, "POST", "/sdapi/v1/txt2img", String.format(req, " <lora:not_there:1>"));
            assertEquals(422, missing.status, missing.body);
            assertTrue(missing.body.contains("not_there"), missing.body);
            assertFalse(missing.body.contains(dir.toString()), "no absolute path: " + missing.body);
        } finally {
            cli.token.cancel();
        }
        assertEquals(ExitCode.OK, code.get(30, TimeUnit.SECONDS), cli.err());
    }

    private record Answer(int status, String body) { }

    private static Answer call(String base, String method, String path, String json) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod(method);
        if (json != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            return new Answer(status, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
