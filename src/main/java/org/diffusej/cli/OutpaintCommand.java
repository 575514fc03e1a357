package org.diffusej.cli;

import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code diffusej outpaint}: extend an image beyond its borders. The canvas grows by the requested margins
 * (rounded up so each side stays a multiple of 8), the new area starts as the stretched edge pixels, and the
 * engine inpaints it.
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

    OutpaintCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        int l = left + expand, r = right + expand, t = top + expand, b = bottom + expand;
        if (l < 0 || r < 0 || t < 0 || b < 0 || maskBlur < 0) throw usage("Margins and --mask-blur must not be negative.");
        if (l + r + t + b == 0) throw usage("Say how far to extend: --expand N or --left/--right/--top/--bottom.");
        ImageFile in = ImageFiles.read(image);
        RgbImage src = in.rgb();
        // round the added width/height up to multiples of 8, growing right and bottom
        r += Math.floorMod(-(src.width() + l + r), 8);
        b += Math.floorMod(-(src.height() + t + b), 8);
        RgbImage canvas = extend(src, l, t, r, b);
        Mask mask = Mask.filled(canvas.width(), canvas.height(), 1f);
        for (int y = 0; y < src.height(); y++)
            for (int x = 0; x < src.width(); x++) mask.set(x + l, y + t, 0f);
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, stem(image) + "-outpaint", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, Mode.INPAINT);
            Result res = s.generate(request(Mode.INPAINT, seed).initImage(canvas).mask(mask).strength(strength)
                    .maskBlur(maskBlur).maskedContent(MaskedContent.ORIGINAL).build());
            s.write(res, files, in.bitDepth(), in.grey(), image);
            return s.finish(res.message());
        }
    }

    /** The image on a larger canvas whose new pixels repeat the nearest edge pixel. */
    static RgbImage extend(RgbImage src, int left, int top, int right, int bottom) {
        int w = src.width() + left + right, h = src.height() + top + bottom;
        RgbImage out = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++) {
                int sy = Math.min(src.height() - 1, Math.max(0, y - top));
                for (int x = 0; x < w; x++) {
                    int sx = Math.min(src.width() - 1, Math.max(0, x - left));
                    out.set(c, x, y, src.get(c, sx, sy));
                }
            }
        return out;
    }
}
