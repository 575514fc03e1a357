package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.NoiseSource;

/**
 * The sampling loop shared by txt2img, img2img and inpaint: one UNet evaluation per sampler timestep with
 * classifier-free guidance, the sampler's update, and for inpainting either the extra UNet channels of 9-channel
 * models or latent blending after every step for ordinary models (as diffusers' pipelines do). Each step runs in its
 * own {@link NDScope}, so memory stays flat however many steps run.
 */
public final class DenoisingLoop {

    /** One UNet evaluation: {@code [N,Cin,h,w]}, timesteps {@code [1]} or {@code [N]}, context {@code [N,L,H]} → {@code [N,4,h,w]}. */
    @FunctionalInterface
    public interface NoisePredictor {
        NDArray predict(NDArray sample, NDArray timesteps, NDArray context);
    }

    /** Called after every step with the current latents (valid only during the call); may cancel by throwing. */
    @FunctionalInterface
    public interface StepListener {
        StepListener NONE = (step, total, latents) -> { };

        void afterStep(int step, int total, NDArray latents) throws CancelledException;
    }

    /**
     * Thrown by a {@link StepListener} to end the loop at the step reached and keep the result: {@link #run} then
     * returns the model's latest estimate of the clean latents (A1111 returns its {@code last_latent}, the x0
     * prediction, when interrupted or skipped).
     */
    public static final class EndEarly extends CancelledException {
        private static final long serialVersionUID = 1L;
    }

    /** One step's outcome: the next latents and the estimate of the clean latents (may be the same array). */
    private record Next(NDArray x, NDArray x0) { }

    /**
     * What inpainting adds to the loop.
     *
     * @param mask               {@code [B,1,h,w]} 1 = repaint, at latent resolution
     * @param maskedImageLatents {@code [B,4,h,w]} scaled latents of the image with the masked area blanked (9-channel
     *                           models), else null
     * @param imageLatents       {@code [B,4,h,w]} scaled latents of the init image for blending (4-channel models), else null
     * @param blendNoise         {@code [B,4,h,w]} the noise the blended image latents are re-noised with (the initial latent noise)
     */
    public record Inpainting(NDArray mask, NDArray maskedImageLatents, NDArray imageLatents, NDArray blendNoise) {
        boolean blends() { return imageLatents != null; }
    }

    private final NoisePredictor unet;
    private final Sampler sampler;
    private final double cfgScale;
    private final NDArray context;

    /**
     * @param unet     the noise predictor
     * @param sampler  a sampler after {@code setTimesteps}
     * @param cfgScale guidance scale; ≤ 1 runs the conditional pass only
     * @param negative {@code [B,L,H]} negative-prompt context (ignored when cfgScale ≤ 1)
     * @param positive {@code [B,L,H]} prompt context
     */
    public DenoisingLoop(NoisePredictor unet, Sampler sampler, double cfgScale, NDArray negative, NDArray positive) {
        this.unet = unet;
        this.sampler = sampler;
        this.cfgScale = cfgScale;
        this.context = guided() ? negative.concat(positive, 0) : positive; // [2B or B, L, H], unconditional first
    }

    private boolean guided() {
        return cfgScale > 1;
    }

    /**
     * Denoises {@code latents} from step {@code startIndex} to the end of the sampler's timesteps.
     *
     * @return the final latents (a new array, in the manager of {@code latents}); when the listener throws
     *         {@link EndEarly}, the last step's estimate of the clean latents
     */
    public NDArray run(NDArray latents, int startIndex, Inpainting inpaint, NoiseSource noise, StepListener listener)
            throws CancelledException {
        int total = sampler.timesteps().length - startIndex;
        NDArray x = latents.duplicate();
        NDArray x0 = null;
        for (int i = startIndex; i < startIndex + total; i++) {
            try (NDScope scope = new NDScope()) {
                Next next = step(x, i, inpaint, noise);
                NDScope.unregister(next.x());
                if (next.x0() != next.x()) NDScope.unregister(next.x0());
                closeBoth(x, x0);
                x = next.x();
                x0 = next.x0();
            }
            try {
                listener.afterStep(i - startIndex + 1, total, x);
            } catch (EndEarly e) {
                if (x != x0) x.close();
                return x0;
            } catch (CancelledException | RuntimeException e) {
                closeBoth(x, x0);
                throw e;
            }
        }
        if (x0 != null && x0 != x) x0.close();
        return x;
    }

    private static void closeBoth(NDArray x, NDArray x0) {
        x.close();
        if (x0 != null && x0 != x) x0.close();
    }

    /** One step: guided noise prediction, sampler update, inpaint blending. */
    private Next step(NDArray x, int i, Inpainting inpaint, NoiseSource noise) {
        float[] ts = sampler.timesteps();
        NDArray scaled = sampler.scaleModelInput(x, i);
        NDArray input = guided() ? scaled.concat(scaled, 0) : scaled;                   // [2B, 4, h, w]
        if (inpaint != null && inpaint.maskedImageLatents() != null)
            input = input.concat(doubled(inpaint.mask()), 1).concat(doubled(inpaint.maskedImageLatents()), 1); // [2B, 9, h, w]
        NDArray t = x.getManager().create(new float[] {ts[i]});
        NDArray out = unet.predict(input, t, context);
        NDArray eps = out;
        if (guided()) {
            NDList halves = out.split(2, 0);
            eps = halves.get(0).add(halves.get(1).sub(halves.get(0)).mul((float) cfgScale));
        }
        Sampler.StepResult stepped = sampler.step(eps, i, x, noise);
        NDArray prev = stepped.prevSample();
        NDArray x0 = stepped.predOriginal() == null ? prev : stepped.predOriginal();
        if (inpaint == null || !inpaint.blends()) return new Next(prev, x0);
        NDArray proper = i + 1 < ts.length
                ? sampler.addNoise(inpaint.imageLatents(), inpaint.blendNoise(), i + 1)
                : inpaint.imageLatents();
        NDArray keep = inpaint.mask().neg().add(1f);
        return new Next(proper.mul(keep).add(inpaint.mask().mul(prev)), x0);
    }

    private NDArray doubled(NDArray a) {
        return guided() ? a.concat(a, 0) : a;
    }
}
