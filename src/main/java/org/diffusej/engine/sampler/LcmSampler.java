package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * Latent consistency model sampling (Luo et al. 2023) for LCM-distilled UNets or LCM-LoRA: every step jumps to a
 * denoised estimate through the consistency boundary condition, then re-noises to the next timestep;
 * diffusers' {@code LCMScheduler}. Timesteps are picked from the 50-step distillation schedule.
 */
public final class LcmSampler extends AlphaSampler {
    /** Steps of the distillation schedule (diffusers' {@code original_inference_steps}). */
    public static final int ORIGINAL_STEPS = 50;
    private static final double TIMESTEP_SCALING = 10.0;
    private static final double SIGMA_DATA = 0.5;

    public LcmSampler(NoiseSchedule schedule) {
        super(schedule);
    }

    @Override public String name() { return SamplerNames.LCM; }

    @Override
    public void setTimesteps(int steps) {
        setTimesteps(steps, 1.0);
    }

    /**
     * {@code steps} timesteps picked from the first {@code strength} of the distillation grid (LCM img2img: the
     * whole run happens below the noise level of {@code strength}, diffusers' {@code set_timesteps(n, strength=s)},
     * and every one of them runs: the first step index is 0). Strength 0 runs nothing (returns {@code steps}).
     */
    @Override
    public int setTimesteps(int steps, double strength) {
        requirePositive(steps);
        int origin = (int) (ORIGINAL_STEPS * strength);
        if (strength == 0) {
            setTimesteps(steps);
            return steps;
        }
        if (steps > origin)
            throw new IllegalArgumentException("LCM runs at most " + ORIGINAL_STEPS + " × strength = " + origin
                    + " steps at strength " + strength + ", asked for " + steps + " (fewer steps or a higher strength)");
        inferenceSteps = steps;
        int k = schedule.numTrainTimesteps() / ORIGINAL_STEPS;
        // distillation timesteps k-1, 2k-1, ..., origin·k-1 (descending), of which every (origin/n)-th is used
        timesteps = new float[steps];
        for (int i = 0; i < steps; i++) {
            int j = (int) Math.floor(i * ((double) origin / steps));
            timesteps[i] = (origin - j) * k - 1;
        }
        return 0;
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        // 1. this and the next timestep (the last step stays where it is)
        int t = (int) timesteps[index];
        int prevT = index + 1 < timesteps.length ? (int) timesteps[index + 1] : t;
        float alphaProd = alphaAt(t);
        float alphaProdPrev = alphaAt(prevT);
        // 2. boundary condition scalings c_skip, c_out
        float scaled = (float) (t * TIMESTEP_SCALING);
        float sd2 = (float) (SIGMA_DATA * SIGMA_DATA);
        float cSkip = sd2 / (scaled * scaled + sd2);
        float cOut = scaled / Float32.sqrt(scaled * scaled + sd2);
        // 3. denoised estimate
        NDArray predOriginal = predictOriginal(modelOutput, sample, alphaProd);
        NDArray denoised = predOriginal.mul(cOut).add(sample.mul(cSkip));
        // 4. re-noise to the next timestep, except after the last step
        if (index == inferenceSteps - 1) return new StepResult(denoised, denoised);
        NDArray fresh = noise.next(modelOutput.getShape(), modelOutput.getManager());
        NDArray prev = denoised.mul(Float32.sqrt(alphaProdPrev)).add(fresh.mul(Float32.sqrt(1f - alphaProdPrev)));
        return new StepResult(prev, denoised);
    }
}
