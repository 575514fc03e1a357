package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code diffusej dream}: a sequence of frames, each an img2img of the previous one slightly zoomed in, for a
 * "zooming dream" animation; frame 0 is a txt2img result or the given image.
 */
@Command(name = "dream", mixinStandardHelpOptions = true,
        description = "Make animation frames: each frame restyles the previous one, zoomed in a little.")
final class DreamCommand extends GenerateCommand {
    @Option(names = {"-i", "--image"}, paramLabel = "FILE", description = "First frame (default: a txt2img result).")
    Path image;

    @Option(names = "--frames", defaultValue = "8", description = "Frames after the first (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--zoom", defaultValue = "1.05", description = "Zoom per frame, >= 1 (default: ${DEFAULT-VALUE}).")
    double zoom;

    @Option(names = {"-s", "--strength"}, defaultValue = "0.5", description = "Change per frame (default: 0.5).")
    double strength;

    @Option(names = {"-W", "--width"}, description = "Frame width for a txt2img first frame (default: 512).")
    Integer width;

    @Option(names = {"-H", "--height"}, description = "Frame height for a txt2img first frame (default: 512).")
    Integer height;

    DreamCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        checkSize(width, height);
        if (frames < 1 || frames > 10_000) throw usage("--frames must be between 1 and 10000.");
        if (zoom < 1 || zoom > 4) throw usage("--zoom must be between 1 and 4.");
        if (sampling.batch != 1 || sampling.count != 1) throw usage("dream makes one image per frame: no --batch/--count.");
        if (output.out == null) throw usage("dream needs an output folder: --out FOLDER.");
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Long> frameIds = new java.util.ArrayList<>();
        for (long k = 0; k <= frames; k++) frameIds.add(k);
        List<Path> files = OutputPlan.plan(output.out, "frame", frameIds, "png", output.force);
        ImageFile first = image == null ? null : ImageFiles.read(image);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, image == null ? Mode.TXT2IMG : Mode.IMG2IMG);
            Result r = first == null
                    ? s.generate(request(Mode.TXT2IMG, seed).size(width == null ? 512 : width,
                            height == null ? 512 : height).build())
                    : s.generate(request(Mode.IMG2IMG, seed).initImage(first.rgb()).strength(strength).build());
            s.write(r, files.subList(0, 1), 8, false, image);
            for (int k = 1; k <= frames && !s.cancelled() && !r.images().isEmpty(); k++) {
                RgbImage previous = zoomed(r.images().get(0), zoom);
                r = s.generate(request(Mode.IMG2IMG, seed + k).initImage(previous).strength(strength).build());
                s.write(r, files.subList(k, k + 1), 8, false, null);
            }
            return s.finish("");
        }
    }

    /** The centre 1/factor of the image, scaled back to full size (bilinear). */
    static RgbImage zoomed(RgbImage src, double factor) {
        int w = src.width(), h = src.height();
        RgbImage out = RgbImage.blank(w, h);
        double cw = w / factor, ch = h / factor, x0 = (w - cw) / 2, y0 = (h - ch) / 2;
        for (int y = 0; y < h; y++) {
            double sy = Math.min(h - 1, Math.max(0, y0 + (y + 0.5) * ch / h - 0.5));
            int iy = (int) sy, iy1 = Math.min(h - 1, iy + 1);
            double fy = sy - iy;
            for (int x = 0; x < w; x++) {
                double sx = Math.min(w - 1, Math.max(0, x0 + (x + 0.5) * cw / w - 0.5));
                int ix = (int) sx, ix1 = Math.min(w - 1, ix + 1);
                double fx = sx - ix;
                for (int c = 0; c < 3; c++) {
                    double top = src.get(c, ix, iy) * (1 - fx) + src.get(c, ix1, iy) * fx;
                    double bottom = src.get(c, ix, iy1) * (1 - fx) + src.get(c, ix1, iy1) * fx;
                    out.set(c, x, y, (float) (top * (1 - fy) + bottom * fy));
                }
            }
        }
        return out;
    }
}
