package org.diffusej.cli;

import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.image.Outpaint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code diffusej outpaint}: extend an image beyond its borders. The canvas grows by the requested margins
 * (rounded up so each side stays a multiple of 8), the new area starts as the stretched, blurred edge colours
 * ({@link Outpaint}), and the engine inpaints it and a thin overlap into the original.
 */
@Command(name = "outpaint", mixinStandardHelpOptions = true, description = "Extend an image beyond its borders.")
final class OutpaintCommand extends GenerateCommand {
    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE", description = "The image to extend.")
    Path image;

    @Option(names = "--expand", defaultValue = "0", description = "Pixels to add on every side.")
    int expand;

    @Option(names = "--left", defaultValue = "0", description = "Pixels to add on the left.") int left;
    @Option(names = "--right", defaultValue = "0", description = "Pixels to add on the right.") int right;
    @Option(names = "--top", defaultValue = "0", description = "Pixels to add at the top.") int top;
    @Option(names = "--bottom", defaultValue = "0", description = "Pixels to add at the bottom.") int bottom;

    @Option(names = {"-s", "--strength"}, defaultValue = "1.0", description = "Change in the new area (default: 1).")
    double strength;

    @Option(names = "--mask-blur", defaultValue = "8", description = "Feather of the seam in pixels (default: 8).")
    int maskBlur;

    @Option(names = "--overlap", defaultValue = "8", description = "Pixels of the original repainted along the seam "
            + "(default: ${DEFAULT-VALUE}).")
    int overlap;

    OutpaintCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        int l = left + expand, r = right + expand, t = top + expand, b = bottom + expand;
        if (l < 0 || r < 0 || t < 0 || b < 0 || maskBlur < 0 || overlap < 0)
            throw usage("Margins, --mask-blur and --overlap must not be negative.");
        if (l + r + t + b == 0) throw usage("Say how far to extend: --expand N or --left/--right/--top/--bottom.");
        ImageFile in = ImageFiles.read(image);
        RgbImage src = in.rgb();
        // round the added width/height up to multiples of 8, growing right and bottom
        r += Math.floorMod(-(src.width() + l + r), 8);
        b += Math.floorMod(-(src.height() + t + b), 8);
        Outpaint.Canvas canvas = Outpaint.extend(src, new Outpaint.Sides(l, t, r, b), overlap);
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, stem(image) + "-outpaint", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, loras, Mode.INPAINT);
            Result res = s.generate(request(Mode.INPAINT, seed).initImage(canvas.image()).mask(canvas.mask()).strength(strength)
                    .maskBlur(maskBlur).maskedContent(MaskedContent.ORIGINAL).build());
            s.write(res, files, in.bitDepth(), in.grey(), image);
            return s.finish(res.message());
        }
    }
}
