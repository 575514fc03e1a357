package org.diffusej.imagej;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.SamplerNames;
import org.scijava.plugin.Parameter;

/**
 * Base of the commands that run the engine: the prompt and sampling parameters every one of them shares
 * (their field names are the macro keys: {@code prompt negative seed steps sampler cfg spacing}), progress in the
 * status bar, and cancellation (Esc, or {@link #cancel(String)} from a script).
 */
public abstract class GenerationCommand extends DiffuseJCommand {

    @Parameter
    protected DiffusionService diffusion;

    @Parameter(label = "Prompt")
    protected String prompt = "";

    @Parameter(label = "Negative prompt", required = false)
    protected String negative = "";

    @Parameter(label = "Seed (-1 = random)")
    protected long seed = -1;

    @Parameter(label = "Steps", min = "1", max = "150")
    protected int steps = 20;

    /** The engine's list ({@link SamplerNames#samplers()}; GenerationCommandChoicesTest holds them equal). */
    @Parameter(label = "Sampler", choices = {SamplerNames.EULER_A, SamplerNames.EULER, SamplerNames.DDIM,
            SamplerNames.PLMS, SamplerNames.DPMPP_2M, SamplerNames.DPMPP_2M_KARRAS, SamplerNames.LCM, SamplerNames.HEUN,
            SamplerNames.LMS, SamplerNames.DPM2, SamplerNames.DPM2_A, SamplerNames.DPMPP_SDE, SamplerNames.DPMPP_2M_SDE,
            SamplerNames.UNIPC})
    protected String sampler = SamplerNames.DEFAULT;

    @Parameter(label = "CFG scale", min = "1", max = "30", stepSize = "0.5")
    protected double cfg = 7.0;

    /** "Model default" = the model's scheduler config; else diffusers' timestep_spacing (SD-Turbo: trailing). */
    @Parameter(label = "Schedule spacing", choices = {MODEL_SPACING, "leading", "trailing", "linspace"}, required = false)
    protected String spacing = MODEL_SPACING;

    /** The {@link #spacing} choice that keeps the model's own timestep spacing. */
    public static final String MODEL_SPACING = "Model default";

    /** Stops the running generation; set by Esc, {@link #cancel(String)} or the service. */
    protected final CancellationToken token = new CancellationToken();

    private String note = "";

    /** The live preview of this command's runs (shown when a TAESD is set in Model &amp; Device). */
    protected final PreviewWindow previews = new PreviewWindow();

    /** This command's live preview window (its image is null until a preview arrived). */
    public PreviewWindow previews() { return previews; }

    @Override
    public void cancel(String reason) {
        token.cancel();
        super.cancel(reason);
    }

    /** A request with this command's prompt and sampling parameters. */
    protected Request.Builder request(Mode mode) {
        return Request.builder(mode).prompt(prompt).negativePrompt(negative).seed(seed).steps(steps)
                .sampler(sampler).cfgScale(cfg)
                .timestepSpacing(spacing == null || spacing.equals(MODEL_SPACING) ? null : spacing);
    }

    /**
     * Runs {@code request} with progress in the status bar. A cancelled run that finished some images returns
     * them (see {@link #note()}); one that finished none throws {@link CancelledException}.
     */
    protected Result generate(Request request, String what) throws DiffusionException {
        // a TAESD in Model & Device gives full-size previews worth a window; latent previews are too small to show
        PreviewWindow window = diffusion.settings().taesd().isEmpty() ? null : previews;
        StatusBarProgress bar = new StatusBarProgress("DiffuseJ " + what, token, window);
        Result result = diffusion.generate(request, bar, token);
        if (result.cancelled() && result.images().isEmpty()) throw new CancelledException();
        note = result.cancelled() ? "Cancelled: kept the " + result.images().size() + " finished image(s)." : result.message();
        String took = result.timings().containsKey("total") ? String.format(java.util.Locale.ROOT, " in %.1f s", result.timings().get("total")) : "";
        bar.done();
        report("DiffuseJ " + what + ": " + result.images().size() + " image(s)" + took + (note.isEmpty() ? "" : ". " + note));
        return result;
    }

    /** The engine's note on the last generation (cancelled early, empty mask...), or empty. */
    public String note() { return note; }
}
