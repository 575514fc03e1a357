package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.engine.lora.RandomLora;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LCM-LoRA recipe on sd1-tiny: a plain SD1 model, an LCM-LoRA-shaped LoRA (UNet only, every convolution and
 * linear layer of the UNet: attention, projections, feed-forward, resnets, time embedding, samplers; kohya keys
 * with alpha, like the published {@code lcm-lora-sdv1-5}), the LCM sampler, 4 steps, CFG 1.5. There is no LCM-LoRA
 * reference fixture: the LoRA is random (rank 2, {@link RandomLora}) and the expectation is the same run on a copy
 * of the diffusers folder whose UNet file has the update merged by the test itself
 * ({@code W + mult · alpha/rank · up·down} on the stored tensors), within atol 1e-4; without the LoRA the image
 * must differ.
 */
class LcmLoraTest {
    static final double ATOL = 1e-4;
    static final String UNET_FILE = "unet/diffusion_pytorch_model.safetensors";

    @TempDir Path dir;

    @Test
    void lcmLoraWithTheLcmSamplerEqualsMergedWeights() throws Exception {
        Path folder = Fixtures.diffusersDir("sd1-tiny");
        Path unetFile = folder.resolve(UNET_FILE);
        List<RandomLora.Module> modules = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(unetFile)) {
            for (String name : f.names()) {
                int dims = f.info(name).shape().length;
                if (!name.endsWith(".weight") || (dims != 2 && dims != 4)) continue;
                String module = name.substring(0, name.length() - ".weight".length());
                modules.add(RandomLora.Module.of("lora_unet_" + module.replace('.', '_'), "unet." + module, name));
            }
        }
        RandomLora lora = RandomLora.of(unetFile, modules, 2, 15);
        Path loras = Files.createDirectories(dir.resolve("loras"));
        float alpha = 1f;
        lora.writeKohya(loras.resolve("lcm-lora-tiny.safetensors"), alpha);
        double multiplier = 1.0;
        Path merged = copy(folder, dir.resolve("merged"));
        Files.delete(merged.resolve(UNET_FILE));
        lora.writeMerged(unetFile, merged.resolve(UNET_FILE), 0, multiplier * alpha / 2);

        RgbImage expected;
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(merged, ModelOptions.cpu()))) {
            expected = generate(p, "").images().get(0);
        }
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(folder, ModelOptions.cpu()))) {
            p.loras().setLibrary(LoraLibrary.of(List.of(loras)));
            Result withLora = generate(p, " <lora:lcm-lora-tiny:" + multiplier + ">");
            assertTrue(withLora.infotexts().get(0).contains("Sampler: " + SamplerNames.LCM), withLora.infotexts().get(0));
            double d = LoraRuns.maxDiff(expected, withLora.images().get(0));
            assertTrue(d <= ATOL, "LoRA vs merged weights max |diff| " + d);
            double base = LoraRuns.maxDiff(expected, generate(p, "").images().get(0));
            assertTrue(base > 1e-2, "the LCM-LoRA changes the image: " + base);
        }
    }

    private static Result generate(Pipeline p, String tags) throws Exception {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat" + tags).negativePrompt("blurry, low quality")
                .seed(7).steps(4).sampler(SamplerNames.LCM).cfgScale(1.5).size(64, 64).build();
        return p.generate(r, ProgressListener.NONE, new CancellationToken());
    }

    private static Path copy(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        return to;
    }
}
