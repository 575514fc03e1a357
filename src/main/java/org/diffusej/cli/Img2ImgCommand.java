package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code diffusej img2img}: restyle an image. */
@Command(name = "img2img", description = "Restyle an image towards a prompt (16-bit in, 16-bit out).",
        mixinStandardHelpOptions = true)
final class Img2ImgCommand extends GenerateCommand {
    @Option(names = {"-i", "--image"}, required = true, paramLabel = "FILE", description = "The image to start from.")
    Path image;

    @Option(names = {"-s", "--strength"}, defaultValue = "0.75",
            description = "How much to change, 0..1 (default: ${DEFAULT-VALUE}).")
    double strength;

    Img2ImgCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkStrength(strength);
        ImageFile in = ImageFiles.read(image);
        long seed = GenerationSession.resolveSeed(sampling.seed);
        List<Path> files = OutputPlan.plan(output.out, stem(image) + "-img2img", seeds(seed), "png", output.force);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            s.open(model, loras, Mode.IMG2IMG);
            Result r = s.generate(request(Mode.IMG2IMG, seed).initImage(in.rgb()).strength(strength).build());
            s.write(r, files, in.bitDepth(), in.grey(), image);
            return s.finish(r.message());
        }
    }
}
