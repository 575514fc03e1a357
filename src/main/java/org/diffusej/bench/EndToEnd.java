package org.diffusej.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.pipeline.DenoisingLoop;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.text.DualTextEncoder;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.MicroConditioning;
import org.diffusej.engine.unet.GuidanceEmbedding;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.vae.Vae;
import org.diffusej.engine.vae.VaeConfig;
import org.diffusej.engine.weights.InvalidCheckpointException;

import java.util.Locale;
import java.util.Map;

/**
 * One {@link EndToEndPreset} built from random weights of its shapes, run as the engine runs a txt2img: encode the
 * prompt (and the empty negative with CFG), the engine's sampler and {@link DenoisingLoop} for every step, then the
 * decoder (full VAE or TAESD). {@link #generate} is what the benchmark times.
 */
final class EndToEnd implements AutoCloseable {
    private static final long[] PROMPT = {49406, 320, 1125, 539, 320, 2368, 49407}; // "a photo of a cat"

    private final EndToEndPreset preset;
    private final RandomWeights weights;
    private final TextEncoder text;       // SD 1.x/2.x, else null
    private final DualTextEncoder texts;  // SDXL, else null
    private final UNet unet;
    private final Vae vae;     // null with TAESD
    private final Taesd taesd; // null with the VAE
    private final String description;

    EndToEnd(EndToEndPreset preset, boolean quick, NDManager manager, DataType dtype) throws InvalidCheckpointException {
        this.preset = preset;
        VaeConfig vaeConfig = quick ? BenchmarkModel.QUICK_VAE : VaeConfig.sd();
        Map<String, long[]> decoder = preset.taesd()
                ? Taesd.decoderShapes(quick ? 8 : 64, 4) : Vae.parameterShapes(vaeConfig);
        if (preset.xl()) vaeConfig = vaeConfig.withScalingFactor(VaeConfig.SDXL_SCALING_FACTOR);
        Map<String, long[]> textShapes = preset.xl() ? xlTextShapes(preset) : BenchmarkModel.clipTextShapes(preset.text());
        weights = RandomWeights.of(UNet.parameterShapes(preset.unet()), decoder, textShapes);
        text = preset.xl() ? null : TextEncoder.load(weights, preset.text(), manager, dtype);
        texts = preset.xl() ? DualTextEncoder.load(weights, preset.text().heads(), "quick_gelu", preset.text2().heads(),
                "gelu", manager, dtype) : null;
        unet = UNet.load(weights, preset.unet(), manager, dtype);
        vae = preset.taesd() ? null : Vae.load(weights, vaeConfig, manager, Vae.precisionBeside(dtype));
        taesd = preset.taesd() ? Taesd.load(weights, manager, dtype) : null;
        description = String.format(Locale.ROOT, "%s; random weights (%.0fM parameters)%s", preset.description(),
                weights.parameterCount() / 1e6, quick ? ", small widths (quick)" : "");
    }

    String description() { return description; }

    /** SDXL's two text encoders under their roots (CLIP naming) and the second one's projection [P, H2], P = H2. */
    private static Map<String, long[]> xlTextShapes(EndToEndPreset preset) {
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        BenchmarkModel.clipTextShapes(preset.text()).forEach((k, v) ->
                shapes.put(DualTextEncoder.ROOT_1 + k.substring(TextEncoder.SD_ROOT.length()), v));
        BenchmarkModel.clipTextShapes(preset.text2()).forEach((k, v) ->
                shapes.put(DualTextEncoder.ROOT_2 + k.substring(TextEncoder.SD_ROOT.length()), v));
        long h2 = preset.text2().hidden();
        shapes.put(DualTextEncoder.ROOT_2 + "transformer.text_projection.weight", new long[] {h2, h2});
        return shapes;
    }

    /** SDXL: both encoders' penultimate states [B, 77, H1+H2] and the vector conditioning [B, adm] for a size² image. */
    private NDArray[] xlConditioning(NDArray ids, int size, NDManager m) {
        NDArray context = texts.firstContext(ids, 1).concat(texts.secondContext(ids, 1), 2);
        NDArray pooled = texts.pooled(ids);                                                    // [B, P]
        int dim = MicroConditioning.timeEmbedDim(preset.unet().admInChannels(), texts.pooledWidth());
        NDArray timeIds = MicroConditioning.ofSize(size, size).timeIds(m).repeat(0, ids.getShape().get(0));
        return new NDArray[] {context, MicroConditioning.vector(pooled, timeIds, dim)};
    }

    /** Prompt → decoded image [1, 3, size, size]: text encoding, every sampler step, decoding. */
    NDArray generate(NDManager m, int size) {
        int batch = preset.batch();
        long[] ids = new long[batch * 77];
        java.util.Arrays.fill(ids, 49407);                          // SD1 pads with the end token
        for (int row = 0; row < batch; row++) ids[row * 77] = 49406;
        System.arraycopy(PROMPT, 0, ids, (batch - 1) * 77, PROMPT.length);
        NDArray idArray = m.create(ids, new Shape(batch, 77));
        NDArray[] xl = preset.xl() ? xlConditioning(idArray, size, m) : null;
        NDArray states = xl != null ? xl[0] : text.encode(idArray, 1);
        NDArray y = xl != null ? xl[1] : null;                                               // [batch, adm] or none
        NDArray negative = batch == 2 ? states.get("0:1") : states;
        NDArray positive = batch == 2 ? states.get("1:2") : states;
        int down = preset.taesd() ? taesd.downscale() : vae.config().downscale();
        NDArray guidance = preset.guidanceEmbedding()
                ? GuidanceEmbedding.forScale(preset.cfg(), preset.unet().timeCondProjDim(), m) : null;
        try {
            Sampler sampler = Samplers.create(preset.sampler(), null, NoiseSchedule.sd());
            sampler.setTimesteps(preset.steps());
            NoiseSource noise = NoiseSource.seeded(1);
            NDArray latents = noise.next(new Shape(1, 4, size / down, size / down), m).mul(sampler.initNoiseSigma());
            DenoisingLoop loop = new DenoisingLoop((s, t, c) -> unet.forward(s, t, c,
                    y == null ? null : s.getShape().get(0) == y.getShape().get(0) ? y : y.get("1:2"), guidance), sampler,
                    preset.guidanceEmbedding() ? 1 : preset.cfg(), negative, positive);
            NDArray out = loop.run(latents, 0, null, noise, DenoisingLoop.StepListener.NONE);
            return preset.taesd() ? taesd.decode(out) : vae.decode(out);
        } catch (DiffusionException e) {
            throw new IllegalStateException("the preset " + preset.name() + " cannot run: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (taesd != null) taesd.close();
        if (vae != null) vae.close();
        unet.close();
        if (text != null) text.close();
        if (texts != null) texts.close();
        weights.close();
    }
}
