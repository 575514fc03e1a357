package org.diffusej.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.vae.Vae;
import org.diffusej.engine.vae.VaeConfig;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three networks the benchmark times (text encoder, UNet, VAE), built from random weights of a known
 * architecture or loaded from a checkpoint, with one method per timed stage.
 */
final class BenchmarkModel implements AutoCloseable {
    private static final String CLIP = "cond_stage_model.transformer.text_model.";
    /** CLIP ViT-L/14 text encoder of SD 1.x: 12 layers, width 768, 12 heads, MLP 3072, quick-gelu. */
    static final TextEncoder.Config SD1_TEXT = new TextEncoder.Config(49408, 77, 768, 12, 3072, 12, true, 1e-5f);
    /** The sd15-shape fixture's topology: SD1.5's levels and blocks at widths 32/64, text width 32. */
    static final UNetConfig QUICK_UNET = new UNetConfig(4, 32, List.of(1, 2, 2, 2), 2, List.of(0, 1, 2), 4, 0, 32,
            false, 32, 1);
    static final VaeConfig QUICK_VAE = new VaeConfig(32, List.of(1, 2, 2, 2), 2, 4, 32, VaeConfig.SD_SCALING_FACTOR);
    static final TextEncoder.Config QUICK_TEXT = new TextEncoder.Config(49408, 77, 32, 4, 128, 3, true, 1e-5f);

    private final WeightSource weights;
    private final TextEncoder text;
    private final UNet unet;
    private final Vae vae;
    private final String description;

    private BenchmarkModel(WeightSource weights, TextEncoder text, UNet unet, Vae vae, String description) {
        this.weights = weights;
        this.text = text;
        this.unet = unet;
        this.vae = vae;
        this.description = description;
    }

    /** Random weights of SD 1.5 (or, {@code quick}, of the small sd15-shape topology). */
    static BenchmarkModel random(boolean quick, NDManager manager, DataType unetType)
            throws InvalidCheckpointException {
        UNetConfig unetConfig = quick ? QUICK_UNET : UNetConfig.sd1();
        TextEncoder.Config textConfig = quick ? QUICK_TEXT : SD1_TEXT;
        VaeConfig vaeConfig = quick ? QUICK_VAE : VaeConfig.sd();
        RandomWeights weights = RandomWeights.of(UNet.parameterShapes(unetConfig), Vae.parameterShapes(vaeConfig),
                clipTextShapes(textConfig));
        String name = String.format(Locale.ROOT, "%s, random weights (%.0fM parameters)",
                quick ? "SD1.5 topology at small widths (quick)" : "SD 1.5", weights.parameterCount() / 1e6);
        return build(weights, unetConfig, textConfig, vaeConfig, manager, unetType, name);
    }

    /** A real checkpoint's networks (configurations detected from its tensor shapes; group norm 32). */
    static BenchmarkModel fromWeights(WeightSource weights, NDManager manager, DataType unetType, String name)
            throws InvalidCheckpointException {
        return build(weights, UNetConfig.detect(weights, 32), TextEncoder.Config.detect(weights, 0, null),
                VaeConfig.detect(weights, 32), manager, unetType, name);
    }

    private static BenchmarkModel build(WeightSource weights, UNetConfig unetConfig, TextEncoder.Config textConfig,
            VaeConfig vaeConfig, NDManager manager, DataType unetType, String description)
            throws InvalidCheckpointException {
        TextEncoder text = null;
        UNet unet = null;
        try {
            text = TextEncoder.load(weights, textConfig, manager, unetType);
            unet = UNet.load(weights, unetConfig, manager, unetType);
            Vae vae = Vae.load(weights, vaeConfig, manager, Vae.precisionBeside(unetType)); // as in the engine
            return new BenchmarkModel(weights, text, unet, vae, description);
        } catch (InvalidCheckpointException | RuntimeException e) {
            if (unet != null) {
                unet.close();
            }
            if (text != null) {
                text.close();
            }
            weights.close();
            throw e;
        }
    }

    String description() {
        return description;
    }

    UNet unet() {
        return unet;
    }

    TextEncoder text() {
        return text;
    }

    /** Encodes a prompt and an empty negative prompt: [2, 77] ids → [2, 77, H]. */
    NDArray encodeText(NDManager manager) {
        long[] ids = new long[2 * 77];
        long[] prompt = {49406, 320, 1125, 539, 320, 2368, 49407}; // "a photo of a cat"
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < 77; i++) {
                ids[row * 77 + i] = 49407; // padding = end token (SD1)
            }
            ids[row * 77] = 49406;
        }
        System.arraycopy(prompt, 0, ids, 77, prompt.length);
        try (NDArray input = manager.create(ids, new Shape(2, 77))) {
            NDArray states = text.encode(input, 1);
            states.attach(manager);
            return states;
        }
    }

    /** One CFG denoising evaluation at {@code size}² pixels: UNet on batch 2, then uncond + g·(cond − uncond). */
    NDArray unetStep(NDArray context, int size) {
        NDManager m = context.getManager();
        NDArray latents = m.randomNormal(Benchmark.latentShape(2, size, vaeDownscale()))
                .toType(unet.dtype(), false);
        NDArray t = m.create(new float[] {500f, 500f});
        NDArray out = unet.forward(latents, t, context.toType(unet.dtype(), false)); // [2, 4, h, w]
        NDArray uncond = out.get(0);
        NDArray cond = out.get(1);
        return uncond.add(cond.sub(uncond).mul(Benchmark.guidance())).expandDims(0); // [1, 4, h, w]
    }

    /** VAE decode of one random latent at {@code size}² pixels. */
    NDArray decode(NDManager manager, int size) {
        NDArray z = manager.randomNormal(Benchmark.latentShape(1, size, vaeDownscale()));
        return vae.decode(z); // [1, 3, size, size]
    }

    private int vaeDownscale() {
        return vae.config().downscale();
    }

    /** CLIP text-encoder tensors (CLIP naming, the layout SD 1.x files use): internal name → shape. */
    static Map<String, long[]> clipTextShapes(TextEncoder.Config c) {
        Map<String, long[]> shapes = new TreeMap<>();
        long h = c.hidden();
        shapes.put(CLIP + "embeddings.token_embedding.weight", new long[] {c.vocabulary(), h});
        shapes.put(CLIP + "embeddings.position_embedding.weight", new long[] {c.positions(), h});
        for (int i = 0; i < c.layers(); i++) {
            String layer = CLIP + "encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                shapes.put(layer + "self_attn." + proj + ".weight", new long[] {h, h});
                shapes.put(layer + "self_attn." + proj + ".bias", new long[] {h});
            }
            for (String norm : new String[] {"layer_norm1", "layer_norm2"}) {
                shapes.put(layer + norm + ".weight", new long[] {h});
                shapes.put(layer + norm + ".bias", new long[] {h});
            }
            shapes.put(layer + "mlp.fc1.weight", new long[] {c.mlp(), h});
            shapes.put(layer + "mlp.fc1.bias", new long[] {c.mlp()});
            shapes.put(layer + "mlp.fc2.weight", new long[] {h, c.mlp()});
            shapes.put(layer + "mlp.fc2.bias", new long[] {h});
        }
        shapes.put(CLIP + "final_layer_norm.weight", new long[] {h});
        shapes.put(CLIP + "final_layer_norm.bias", new long[] {h});
        return shapes;
    }

    @Override
    public void close() {
        vae.close();
        unet.close();
        text.close();
        weights.close();
    }
}
