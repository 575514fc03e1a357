package org.diffusej.cli;

import org.diffusej.engine.pipeline.LatentWalk;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code diffusej dream}: a latent walk, frames whose starting noise moves from one seed's to another's by
 * spherical interpolation (A1111's variation seed, strength t) and, with {@code --prompt2}, whose conditioning moves
 * from the prompt to the second one: request data; each frame's parameters are the engine's infotext.
 */
@Command(name = "dream", mixinStandardHelpOptions = true,
        description = "Make animation frames that morph smoothly from one seed's image to another's (latent walk).")
final class DreamFramesCommand extends GenerateCommand {
    @Option(names = "--to-seed", defaultValue = "-1", description = "Seed the walk ends at; -1 picks one.")
    long toSeed;

    @Option(names = "--prompt2", description = "Prompt the walk ends at (default: the same prompt).")
    String prompt2;

    @Option(names = "--frames", defaultValue = "8", description = "Frames, first and last included (default: 8).")
    int frames;

    @Option(names = {"-W", "--width"}, description = "Frame width (default: the model's size, 512; SDXL 1024).")
    Integer width;

    @Option(names = {"-H", "--height"}, description = "Frame height (default: the model's size, 512; SDXL 1024).")
    Integer height;

    DreamFramesCommand(CliContext ctx) { super(ctx); }

    @Override
    public Integer call() throws Exception {
        validate();
        checkSize(width, height);
        if (frames < 2 || frames > 10_000) throw usage("--frames must be between 2 and 10000.");
        if (sampling.batch != 1 || sampling.count != 1) throw usage("dream makes one image per frame: no --batch/--count.");
        if (output.out == null) throw usage("dream needs an output folder: --out FOLDER.");
        long from = GenerationSession.resolveSeed(sampling.seed);
        long to = GenerationSession.resolveSeed(toSeed);
        List<Long> ids = new ArrayList<>();
        for (long k = 0; k < frames; k++) ids.add(k);
        List<Path> files = OutputPlan.plan(output.out, "frame", ids, "png", output.force);
        String toPrompt = prompt2 == null || prompt2.isBlank() ? null : prompt2;
        double[] ts = LatentWalk.positions(frames);
        try (GenerationSession s = new GenerationSession(ctx, output)) {
            int side = s.open(model, loras, Mode.TXT2IMG).model().defaultSize();
            for (int i = 0; i < frames && !s.cancelled(); i++) {
                double t = ts[i];
                s.progress().message(String.format(Locale.ROOT, "Frame %d/%d (seed %d → %d, t = %.3f)", i + 1, frames,
                        from, to, t));
                Request.Builder frame = request(Mode.TXT2IMG, from)
                        .size(width == null ? side : width, height == null ? side : height).variation(to, t);
                if (toPrompt != null) frame.secondPrompt(toPrompt, t);
                Result r = s.generate(frame.build());
                s.write(r, files.subList(i, i + 1), 8, false, null);
            }
            return s.finish("");
        }
    }
}
