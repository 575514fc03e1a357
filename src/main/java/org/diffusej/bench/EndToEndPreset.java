package org.diffusej.bench;

import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNetConfig;

import java.util.List;
import java.util.Locale;

/**
 * A whole generation the benchmark times from prompt to decoded image: architecture, sampler, steps, guidance and
 * decoder. Full-size presets use the real shapes (random weights); {@code quick} ones the small SD1.5-shaped model.
 *
 * @param name     what {@code --preset} takes
 * @param unet     UNet shape
 * @param text     text-encoder shape (CLIP naming; SD 2.x's OpenCLIP has the same compute at width 1024)
 * @param sampler  sampler name as the engine takes it
 * @param steps    sampler steps
 * @param cfg      guidance: above 1 runs the UNet on batch 2 (CFG); LCM feeds it as the guidance embedding
 * @param taesd    decode with TAESD instead of the full VAE
 */
public record EndToEndPreset(String name, UNetConfig unet, TextEncoder.Config text, String sampler, int steps,
                             double cfg, boolean taesd) {
    /** OpenCLIP ViT-H's text tower as SD 2.x uses it (23 of 24 layers), in CLIP naming. */
    static final TextEncoder.Config SD2_TEXT = new TextEncoder.Config(49408, 77, 1024, 16, 4096, 23, false, 1e-5f);
    /** LCM_Dreamshaper_v7's guidance embedding width. */
    static final int LCM_COND_DIM = 256;

    /** The names {@code --preset} accepts. */
    public static final List<String> NAMES = List.of("sd15-dpm", "turbo-taesd", "lcm-taesd");

    /** The preset called {@code name}, full size or ({@code quick}) on the small model; unknown names are refused. */
    public static EndToEndPreset named(String name, boolean quick) {
        String n = name.toLowerCase(Locale.ROOT);
        UNetConfig small = BenchmarkModel.QUICK_UNET;
        TextEncoder.Config smallText = BenchmarkModel.QUICK_TEXT;
        return switch (n) {
            case "sd15-dpm" -> new EndToEndPreset(n, quick ? small : UNetConfig.sd1(), quick ? smallText : BenchmarkModel.SD1_TEXT,
                    SamplerNames.DPMPP_2M_KARRAS, quick ? 3 : 20, 7, false);
            case "turbo-taesd" -> new EndToEndPreset(n, quick ? small : UNetConfig.sd2(), quick ? smallText : SD2_TEXT,
                    SamplerNames.EULER_A, 1, 0, true);
            case "lcm-taesd" -> new EndToEndPreset(n, withCond(quick ? small : UNetConfig.sd1()),
                    quick ? smallText : BenchmarkModel.SD1_TEXT, SamplerNames.LCM, quick ? 2 : 4, 8, true);
            default -> throw new IllegalArgumentException("unknown preset " + name + "; choose one of "
                    + String.join(", ", NAMES));
        };
    }

    private static UNetConfig withCond(UNetConfig c) {
        return new UNetConfig(c.inChannels(), c.modelChannels(), c.channelMult(), c.numResBlocks(), c.attentionLevels(),
                c.numHeads(), c.headChannels(), c.contextDim(), c.linearProjection(), c.normGroups(),
                c.transformerDepth(), LCM_COND_DIM);
    }

    /** True when the UNet takes the guidance as an embedding (LCM) instead of classifier-free guidance. */
    boolean guidanceEmbedding() { return unet.timeCondProjDim() > 0; }

    /** Prompts encoded and UNet batch: 2 with classifier-free guidance, else 1. */
    int batch() { return !guidanceEmbedding() && cfg > 1 ? 2 : 1; }

    /** One line for the report. */
    String description() {
        return String.format(Locale.ROOT, "%s: %s %d step(s), CFG %s%s, %s", name, sampler, steps,
                cfg == Math.rint(cfg) ? Long.toString((long) cfg) : Double.toString(cfg),
                guidanceEmbedding() ? " (guidance embedding)" : "", taesd ? "TAESD" : "full VAE");
    }
}
