package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.image.Resampler;
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

    /** The centre 1/factor of the image, scaled back to full size. */
    static RgbImage zoomed(RgbImage src, double factor) {
        int w = src.width(), h = src.height();
        int cw = Math.max(1, (int) Math.round(w / factor)), ch = Math.max(1, (int) Math.round(h / factor));
        RgbImage centre = src.crop((w - cw) / 2, (h - ch) / 2, cw, ch);
        return Resampler.resize(centre, w, h, Resampler.Filter.BICUBIC);
    }
}
