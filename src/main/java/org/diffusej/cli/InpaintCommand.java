package org.diffusej.cli;

import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code diffusej inpaint}: repaint the masked part of an image. */
@Command(name = "inpaint", description = "Repaint part of an image, given a mask file or a rectangle.",
        mixinStandardHelpOptions = true)
final class InpaintCommand extends GenerateCommand {
    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE", description = "The image to repaint.")
    Path image;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Region region;

    static final class Region {
        @Option(names = "--mask", paramLabel = "FILE", description = "Mask image, white = repaint, same size.")
        Path mask;

        @Option(names = "--rect", paramLabel = "X,Y,W,H", split = ",", arity = "1",
                description = "Repaint this rectangle (pixels).")
        int[] rect;
    }

    @Option(names = {"-s", "--strength"}, defaultValue = "1.0",
            description = "How much to change the masked area, 0..1 (default: ${DEFAULT-VALUE}).")
    double strength;

    @Option(names = "--mask-blur", defaultValue = "4", description = "Feather of the mask edge in pixels (default: 4).")
    int maskBlur;

    @Option(names = "--only-masked", description = "Work on the mask's bounds at model resolution, paste back.")
    boolean onlyMasked;

    @Option(names = "--padding", defaultValue = "32", description = "Pixels around the mask with --only-masked.")
    int padding;

    @Option(names = "--masked-content", defaultValue = "original", paramLabel = "original|fill|latent-noise|latent-nothing",
            description = "What the masked area starts from (default: ${DEFAULT-VALUE}).")
    String maskedContent;

    @Option(names = "--invert-mask", description = "Repaint what the mask keeps.")
    boolean invertMask;

    InpaintCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        if (maskBlur < 0 || padding < 0) throw usage("--mask-blur and --padding must not be negative.");
        MaskedContent content = maskedContent(maskedContent);
        ImageFile in = ImageFiles.read(image);
        Mask mask = region.mask != null ? ImageFiles.readMask(region.mask, in.rgb().width(), in.rgb().height())
                : rectangle(region.rect, in.rgb().width(), in.rgb().height());
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, stem(image) + "-inpaint", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, loras, Mode.INPAINT);
            Result r = s.generate(request(Mode.INPAINT, seed).initImage(in.rgb()).mask(mask).strength(strength)
                    .maskBlur(maskBlur).onlyMasked(onlyMasked).onlyMaskedPadding(padding).maskedContent(content)
                    .invertMask(invertMask).build());
            s.write(r, files, in.bitDepth(), in.grey(), image);
            return s.finish(r.message());
        }
    }

    private MaskedContent maskedContent(String name) {
        try {
            return MaskedContent.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_'));
        } catch (IllegalArgumentException e) {
            throw usage("--masked-content must be original, fill, latent-noise or latent-nothing.");
        }
    }

    private Mask rectangle(int[] r, int width, int height) {
        if (r.length != 4 || r[2] <= 0 || r[3] <= 0) throw usage("--rect takes X,Y,W,H with a positive width and height.");
        if (r[0] < 0 || r[1] < 0 || r[0] + r[2] > width || r[1] + r[3] > height)
            throw usage("--rect " + r[0] + "," + r[1] + "," + r[2] + "," + r[3] + " is not inside the " + width + "x"
                    + height + " image.");
        Mask m = Mask.filled(width, height, 0f);
        for (int y = r[1]; y < r[1] + r[3]; y++)
            for (int x = r[0]; x < r[0] + r[2]; x++) m.set(x, y, 1f);
        return m;
    }
}
