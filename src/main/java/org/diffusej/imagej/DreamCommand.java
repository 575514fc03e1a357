package org.diffusej.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import java.security.SecureRandom;
import java.util.Locale;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.pipeline.LatentWalk;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * A latent walk rendered as a stack: frame i starts from the spherical interpolation of seed A's and seed B's
 * noise at t = i/(frames−1) (A1111's variation seed B with strength t), and, when a second prompt is given, is
 * conditioned on the mix of both prompts at t, so the images morph smoothly: request data
 * ({@link Request.Builder#variation}, {@link Request.Builder#secondPrompt}); each slice records the engine's infotext.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Dream...", weight = MenuOrder.DREAM)})
public class DreamCommand extends GenerationCommand {

    @Parameter(label = "To seed (-1 = random)")
    private long seed2 = -1;

    @Parameter(label = "To prompt (empty = same prompt)", required = false)
    private String prompt2 = "";

    @Parameter(label = "Frames", min = "2", max = "600")
    private int frames = 16;

    @Parameter(label = "Width", min = "8", max = "2048", stepSize = "8")
    private int width = 512;

    @Parameter(label = "Height", min = "8", max = "2048", stepSize = "8")
    private int height = 512;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
        ImageConversion.checkSize(width, height, "The requested image");
        if (frames < 2) throw new UnsuitableImageException("A walk needs at least 2 frames (got " + frames + ").");
        SecureRandom random = new SecureRandom();
        long from = seed >= 0 ? seed : Math.floorMod(random.nextLong(), 1L << 32);
        long to = seed2 >= 0 ? seed2 : Math.floorMod(random.nextLong(), 1L << 32);
        String toPrompt = prompt2 == null || prompt2.isBlank() ? null : prompt2;
        double[] ts = LatentWalk.positions(frames);
        ImageStack stack = new ImageStack(width, height);
        String firstInfo = null;
        for (int i = 0; i < frames; i++) {
            double t = ts[i];
            Request.Builder b = request(Mode.TXT2IMG).size(width, height).seed(from).batchSize(1).batchCount(1)
                    .variation(to, t);
            if (toPrompt != null) b.secondPrompt(toPrompt, t);
            Result res = diffusion.generate(b.build(), new StatusBarProgress(
                    String.format(Locale.ROOT, "DiffuseJ dream frame %d/%d", i + 1, frames), token), token);
            if (res.images().isEmpty()) throw new org.diffusej.engine.CancelledException();
            String info = res.infotexts().get(0);
            if (firstInfo == null) firstInfo = info;
            stack.addSlice(Provenance.sliceLabel(String.format(Locale.ROOT, "frame %d seed %d→%d t=%.4f", i + 1, from, to, t), info),
                    ImageConversion.toColorProcessor(res.images().get(0)));
            if (token.isCancelled()) break;
        }
        result = new ImagePlus("Dream " + from + "→" + to, stack);
        report("DiffuseJ dream: " + stack.size() + " frame(s), seed " + from + "→" + to);
        Provenance.record(result, firstInfo);
        SyntheticContent.markNewImage(result, java.util.List.of(firstInfo), SyntheticContent.WHOLE_IMAGE);
    }
}
