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

    Txt2ImgCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkSize(width, height);
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, "txt2img", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            int side = s.open(model, loras, Mode.TXT2IMG).model().defaultSize();   // 1024 for SDXL, else 512 (768-v: 768)
            Result r = s.generate(request(Mode.TXT2IMG, seed)
                    .size(width == null ? side : width, height == null ? side : height)
                    .hires(hiresScale == null ? null
                            : new Request.Hires(hiresScale, hiresUpscaler, hiresSteps, hiresStrength)).build());
            s.write(r, files, 8, false, null);
            return s.finish(r.message());
        }
    }
}
