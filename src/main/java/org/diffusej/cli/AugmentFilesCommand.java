package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code diffusej augment}: N seeded low-strength img2img variants of every image of a folder, written in the
 * source's bit depth (16-bit PNG/TIFF stay 16-bit, grey stays grey) with the full parameters recorded.
 */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = "Make seeded variants of every image in a folder (data augmentation); keeps bit depth.")
final class AugmentFilesCommand extends GenerateCommand {
    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Image files or folders of images.")
    List<Path> inputs;

    @Option(names = "--variants", defaultValue = "4", description = "Variants per image (default: ${DEFAULT-VALUE}).")
    int variants;

    @Option(names = {"-s", "--strength"}, defaultValue = "0.3",
            description = "How much each variant may change, 0..1 (default: ${DEFAULT-VALUE}).")
    double strength;

    AugmentFilesCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        if (variants < 1) throw usage("--variants must be at least 1.");
        if (sampling.batch != 1 || sampling.count != 1) throw usage("augment makes --variants per image; "
                + "--batch and --count do not apply.");
        if (output.out == null) throw usage("augment needs an output folder: --out FOLDER.");
        List<Path> images = collect();
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Long> seeds = new ArrayList<>();
        for (int k = 0; k < variants; k++) seeds.add(seed + k);
        List<List<Path>> plans = new ArrayList<>();
        for (Path img : images)
            plans.add(OutputPlan.plan(output.out, stem(img), seeds, extensionFor(img), output.force));
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, loras, Mode.IMG2IMG);
            for (int i = 0; i < images.size() && !s.cancelled(); i++) {
                s.progress().message("Image " + (i + 1) + "/" + images.size() + ": " + images.get(i));
                ImageFile in = ImageFiles.read(images.get(i));
                Result r = s.generate(request(Mode.IMG2IMG, seed).initImage(in.rgb()).strength(strength)
                        .batchSize(1).batchCount(variants).build());
                s.write(r, plans.get(i), in.bitDepth(), in.grey(), images.get(i));
            }
            return s.finish("");
        }
    }

    private List<Path> collect() throws InputException {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f) && isImage(f)).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new InputException("Cannot list the folder " + p + ": " + e.getMessage() + ".", e);
                }
            } else if (Files.isRegularFile(p)) out.add(p);
            else throw new InputException("There is no file or folder " + p + ".");
        }
        if (out.isEmpty()) throw new InputException("No images (.png, .tif, .jpg) in " + inputs + ".");
        return out;
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".tif") || n.endsWith(".tiff") || n.endsWith(".jpg")
                || n.endsWith(".jpeg");
    }

    /** TIFF stays TIFF; everything else becomes PNG. */
    private static String extensionFor(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tif") || n.endsWith(".tiff") ? "tif" : "png";
    }
}
