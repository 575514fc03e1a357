package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code diffusej txt2img}: new images from a prompt. */
@Command(name = "txt2img", description = "Paint new images from a prompt.", mixinStandardHelpOptions = true)
final class Txt2ImgCommand extends GenerateCommand {
    @Option(names = {"-W", "--width"}, description = "Width in pixels (default: the model's size, 512; SDXL 1024).")
    Integer width;

    @Option(names = {"-H", "--height"}, description = "Height in pixels (default: the model's size, 512; SDXL 1024).")
    Integer height;

    @Option(names = "--hires-scale", paramLabel = "X",
            description = "Hires fix: upscale the result by X (1–4) and denoise it again as img2img (default: off).")
    Double hiresScale;

    @Option(names = "--hires-steps", defaultValue = "0",
            description = "Hires fix: second-pass steps before strength (default: 0 = same as --steps).")
    int hiresSteps;

    @Option(names = "--hires-strength", defaultValue = "0.75",
            description = "Hires fix: second-pass denoising strength (default: ${DEFAULT-VALUE}).")
    double hiresStrength;

    @Option(names = "--hires-upscaler", defaultValue = Request.Hires.LATENT,
            description = "Hires fix upscaler: Latent or Lanczos (default: ${DEFAULT-VALUE}).")
    String hiresUpscaler;

    @Option(names = "--hires-resize", paramLabel = "WxH",
            description = "Hires fix to a target size instead of a scale (A1111 hr_resize_x/y): 1024x0 or 0x1024 keeps "
                    + "the aspect, 1024x768 covers and centre-crops (default: off).")
    String hiresResize;

    @Option(names = "--hires-sampler", description = "Hires fix: the second pass's sampler (default: same as --sampler).")
    String hiresSampler;

    @Option(names = "--hires-prompt", description = "Hires fix: the second pass's prompt (default: the prompt).")
    String hiresPrompt = "";

    @Option(names = "--hires-negative", description = "Hires fix: the second pass's negative prompt (default: the negative prompt).")
    String hiresNegative = "";

    Txt2ImgCommand(CliContext ctx) { super(ctx); }

    /** The hires settings, or null when neither --hires-scale nor --hires-resize is given. */
    private Request.Hires hires() throws InputException {
        if (hiresScale == null && hiresResize == null) return null;
        int x = 0, y = 0;
        if (hiresResize != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})[xX](\\d{1,5})").matcher(hiresResize.strip());
            if (!m.matches() || (Integer.parseInt(m.group(1)) == 0 && Integer.parseInt(m.group(2)) == 0))
                throw new InputException("--hires-resize must be WIDTHxHEIGHT with at least one side above 0 (e.g. 1024x0), "
                        + "got '" + hiresResize + "'.");
            x = Integer.parseInt(m.group(1));
            y = Integer.parseInt(m.group(2));
        }
        return new Request.Hires(hiresScale == null ? 2 : hiresScale, hiresUpscaler, hiresSteps, hiresStrength, x, y,
                hiresSampler, null, hiresPrompt, hiresNegative);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        checkSize(width, height);
        Request.Hires hires = hires();
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, "txt2img", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            int side = s.open(model, loras, Mode.TXT2IMG).model().defaultSize();   // 1024 for SDXL, else 512 (768-v: 768)
            Result r = s.generate(request(Mode.TXT2IMG, seed)
                    .size(width == null ? side : width, height == null ? side : height)
                    .hires(hires).build());
            s.write(r, files, 8, false, null);
            return s.finish(r.message());
        }
    }
}
