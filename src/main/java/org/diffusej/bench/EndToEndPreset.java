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
 * @param text2    SDXL's second text encoder (OpenCLIP bigG, in CLIP naming), or null for SD 1.x/2.x
 */
public record EndToEndPreset(String name, UNetConfig unet, TextEncoder.Config text, String sampler, int steps,
                             double cfg, boolean taesd, TextEncoder.Config text2) {
    /** An SD 1.x/2.x preset (one text encoder). */
    public EndToEndPreset(String name, UNetConfig unet, TextEncoder.Config text, String sampler, int steps, double cfg,
                          boolean taesd) {
        this(name, unet, text, sampler, steps, cfg, taesd, null);
    }

    /** OpenCLIP ViT-H's text tower as SD 2.x uses it (23 of 24 layers), in CLIP naming. */
    static final TextEncoder.Config SD2_TEXT = new TextEncoder.Config(49408, 77, 1024, 16, 4096, 23, false, 1e-5f);
    /** LCM_Dreamshaper_v7's guidance embedding width. */
    static final int LCM_COND_DIM = 256;

    /** OpenCLIP ViT-bigG's text tower as SDXL uses it (32 layers, width 1280, 20 heads), in CLIP naming. */
    static final TextEncoder.Config SDXL_TEXT2 = new TextEncoder.Config(49408, 77, 1280, 20, 5120, 32, false, 1e-5f);
    /** SDXL base 1.0's UNet: 2,567,463,684 parameters (levels 320/640/1280, depths 0/2/10, vector conditioning 2816). */
    static final UNetConfig SDXL_UNET = new UNetConfig(4, 320, List.of(1, 2, 4), 2, List.of(1, 2), 0,
            UNetConfig.SD2_HEAD_CHANNELS, 2048, true, 32, 2, List.of(2, 2, 10), 2816);
    /** The SDXL topology at small widths: text 32 + 32, pooled 32, 6 time ids of 8. */
    static final UNetConfig QUICK_SDXL_UNET = new UNetConfig(4, 32, List.of(1, 2, 2), 2, List.of(1, 2), 0, 8, 64,
            true, 32, 1, List.of(1, 1, 2), 32 + 6 * 8);
    static final TextEncoder.Config QUICK_TEXT2 = new TextEncoder.Config(49408, 77, 32, 4, 128, 3, false, 1e-5f);

    /** The names {@code --preset} accepts. */
    public static final List<String> NAMES = List.of("sd15-dpm", "turbo-taesd", "lcm-taesd", "sdxl-euler");

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
            // SDXL base: 1 Euler step with CFG 5 (batch 2), full VAE; both text encoders and the vector conditioning
            case "sdxl-euler" -> new EndToEndPreset(n, quick ? QUICK_SDXL_UNET : SDXL_UNET,
                    quick ? smallText : BenchmarkModel.SD1_TEXT, SamplerNames.EULER, 1, 5, false,
                    quick ? QUICK_TEXT2 : SDXL_TEXT2);
            default -> throw new IllegalArgumentException("unknown preset " + name + "; choose one of "
                    + String.join(", ", NAMES));
        };
    }

    private static UNetConfig withCond(UNetConfig c) {
        return new UNetConfig(c.inChannels(), c.modelChannels(), c.channelMult(), c.numResBlocks(), c.attentionLevels(),
                c.numHeads(), c.headChannels(), c.contextDim(), c.linearProjection(), c.normGroups(),
                c.transformerDepth(), LCM_COND_DIM);
    }

    /** True for SDXL: two text encoders and the UNet's vector conditioning. */
    boolean xl() { return text2 != null; }

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
