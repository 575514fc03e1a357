package org.diffusej.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --taesd} (final decode through the tiny autoencoder), {@code --taesd-previews} (previews only, the VAE's final
 * image) and {@code --preview} on the real pipeline.
 */
class TaesdCliTest {
    @TempDir Path dir;

    private CliHarness cli() {
        return new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
    }

    private String[] txt2img(String out, String... extra) {
        String[] base = {"txt2img", "-m", Fixtures.diffusersDir("sd1-tiny").toString(), "-p", "a photo of a cat",
                "--seed", "3", "--steps", "2", "--sampler", "Euler", "-W", "64", "-H", "64", "-o", out};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void taesdDecodesTheImageAndPreviewIsWrittenAtFullSize() throws Exception {
        CliHarness cli = cli();
        Path vae = dir.resolve("vae.png"), tiny = dir.resolve("taesd.png"), preview = dir.resolve("preview.png");
        assertEquals(ExitCode.OK, cli.run(txt2img(vae.toString())), cli.err());
        assertEquals(ExitCode.OK, cli.run(txt2img(tiny.toString(), "--taesd",
                Fixtures.variant("taesd").resolve("taesd_decoder.safetensors").toString(), "--preview", preview.toString())),
                cli.err());
        ImageFile a = ImageFiles.read(vae), b = ImageFiles.read(tiny);
        assertEquals(64, b.rgb().width());
        assertNotEquals(a.rgb(), b.rgb(), "TAESD, not the VAE, decoded the image");
        assertTrue(Files.isRegularFile(preview), "preview written");
        assertEquals(64, ImageFiles.read(preview).rgb().width(), "TAESD preview at full size");
    }

    @Test
    void taesdPreviewsKeepsTheVaesFinalImageAndWritesFullSizePreviews() throws Exception {
        CliHarness cli = cli();
        Path vae = dir.resolve("vae.png"), out = dir.resolve("out.png"), preview = dir.resolve("preview.png");
        assertEquals(ExitCode.OK, cli.run(txt2img(vae.toString())), cli.err());
        assertEquals(ExitCode.OK, cli.run(txt2img(out.toString(), "--taesd-previews",
                Fixtures.variant("taesd").resolve("taesd_decoder.safetensors").toString(), "--preview", preview.toString())),
                cli.err());
        assertEquals(ImageFiles.read(vae).rgb(), ImageFiles.read(out).rgb(), "the VAE decoded the final image");
        // TAESD decodes the model's own latents (64 px / the VAE's downscale) at its 8× scale: the image size for
        // real models (VAE downscale 8), larger for the tiny fixture's VAE
        JsonObject config = JsonParser.parseString(Files.readString(Fixtures.diffusersDir("sd1-tiny")
                .resolve("vae").resolve("config.json"))).getAsJsonObject();
        int vaeDownscale = 1 << (config.getAsJsonArray("block_out_channels").size() - 1);
        assertEquals(64 / vaeDownscale * 8, ImageFiles.read(preview).rgb().width(), "TAESD preview of the latents");
    }

    @Test
    void taesdAndTaesdPreviewsTogetherAreRefused() {
        CliHarness cli = cli();
        String tiny = Fixtures.variant("taesd").resolve("taesd_decoder.safetensors").toString();
        int code = cli.run(txt2img(dir.resolve("x.png").toString(), "--taesd", tiny, "--taesd-previews", tiny));
        assertNotEquals(ExitCode.OK, code);
        assertTrue(cli.err().contains("not both"), cli.err());
    }

    @Test
    void aFileThatIsNoTaesdIsRefusedClearly() {
        CliHarness cli = cli();
        Path sdVae = Fixtures.diffusersDir("sd1-tiny").resolve("vae").resolve("diffusion_pytorch_model.safetensors");
        int code = cli.run(txt2img(dir.resolve("x.png").toString(), "--taesd", sdVae.toString()));
        assertNotEquals(ExitCode.OK, code);
        assertTrue(cli.err().contains("encoder or decoder"), cli.err());
    }
}
