package org.diffusej.engine.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A separate VAE in place of the model's ({@link ModelOptions#withVae}): sdxl-tiny's own VAE in the other layout
 * gives exactly the built-in VAE's image (diffusers folder model + original-naming VAE file cut from the single file;
 * single-file model + the folder's diffusers {@code vae/}; the diffusers-named file on its own). A copy with one
 * decoder bias shifted changes the image (the override is really used); a file that is no VAE is refused.
 */
public class SdxlVaeOverrideTest {
    @TempDir Path dir;

    private static final Request REQUEST = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").negativePrompt("blurry")
            .size(64, 64).steps(2).seed(3).sampler("Euler").cfgScale(5).build();

    private static float[] image(Path model, ModelOptions o) throws Exception {
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(model, o))) {
            return p.generate(REQUEST, ProgressListener.NONE, new CancellationToken()).images().get(0).planes();
        }
    }

    @Test
    void sameVaeInTheOtherLayoutGivesTheSameImage() throws Exception {
        Path folder = Fixtures.diffusersDir("sdxl-tiny");
        Path single = Fixtures.singleFile("sdxl-tiny");
        ModelOptions singleOptions = ModelOptions.cpu().withConfig(folder);
        Path ldmVae = vaeFile(single, dir.resolve("sdxl_vae.safetensors"), 0f);

        float[] folderOwn = image(folder, ModelOptions.cpu());
        assertArrayEquals(folderOwn, image(folder, ModelOptions.cpu().withVae(ldmVae)), 0f, "folder + original-naming file");
        float[] singleOwn = image(single, singleOptions);
        assertArrayEquals(singleOwn, image(single, singleOptions.withVae(folder.resolve("vae"))), 0f, "file + diffusers vae/");
        assertArrayEquals(singleOwn, image(single, singleOptions.withVae(folder.resolve("vae/diffusion_pytorch_model.safetensors"))),
                0f, "file + diffusers-named file");

        float[] shifted = image(folder, ModelOptions.cpu().withVae(vaeFile(single, dir.resolve("shifted.safetensors"), 0.25f)));
        double diff = 0;
        for (int i = 0; i < shifted.length; i++) diff = Math.max(diff, Math.abs(shifted[i] - folderOwn[i]));
        assertTrue(diff > 0.05, "a different VAE gives a different image: max diff " + diff);
    }

    @Test
    void notAVaeIsRefused() {
        Path unet = Fixtures.diffusersDir("sdxl-tiny").resolve("unet/diffusion_pytorch_model.safetensors");
        String msg = assertThrows(InvalidCheckpointException.class, () -> StableDiffusionModel.load(
                Fixtures.diffusersDir("sdxl-tiny"), ModelOptions.cpu().withVae(unet))).getMessage();
        assertTrue(msg.contains("is not a VAE"), msg);
    }

    /**
     * The {@code first_stage_model.*} tensors of a single file, renamed without the prefix (the layout of
     * {@code sdxl_vae.safetensors}), F32; {@code shift} is added to {@code decoder.conv_out.bias}.
     */
    public static Path vaeFile(Path checkpoint, Path out, float shift) throws Exception {
        byte[] all = Files.readAllBytes(checkpoint);
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) in.getLong(0);
        JsonObject header = JsonParser.parseString(new String(all, 8, headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject outHeader = new JsonObject();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (!e.getKey().startsWith("first_stage_model.")) continue;
            JsonObject t = e.getValue().getAsJsonObject();
            if (!t.get("dtype").getAsString().equals("F32")) throw new IllegalStateException("fixture is F32");
            long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong(), end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
            ByteBuffer bytes = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            bytes.put(all, (int) (8 + headerLength + begin), (int) (end - begin));
            String name = e.getKey().substring("first_stage_model.".length());
            if (name.equals("decoder.conv_out.bias"))
                for (int i = 0; i < bytes.capacity(); i += 4) bytes.putFloat(i, bytes.getFloat(i) + shift);
            JsonObject o = new JsonObject();
            o.addProperty("dtype", "F32");
            o.add("shape", t.get("shape"));
            com.google.gson.JsonArray offsets = new com.google.gson.JsonArray();
            offsets.add(data.size());
            offsets.add(data.size() + bytes.capacity());
            o.add("data_offsets", offsets);
            outHeader.add(name, o);
            data.write(bytes.array());
        }
        byte[] h = outHeader.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + h.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(h.length).put(h).put(data.toByteArray());
        return Files.write(out, file.array());
    }
}
