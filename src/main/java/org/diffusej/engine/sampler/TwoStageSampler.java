package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;

/**
 * Base of the k-diffusion samplers that call the model twice per step (Heun, DPM2, DPM2 a, DPM++ SDE): step k goes
 * from sigma_k to sigma_{k+1} through a second model call at {@link #secondSigma(int)}. {@link #timesteps()} then
 * lists the UNet calls, as diffusers' {@code HeunDiscreteScheduler} does: 2·steps − 1 of them, because the last step
 * (to sigma 0) is a plain Euler step that ends at the model's x0. Call {@code c} is stage 0 or 1 of one step; the
 * state between the two stages (the step's start latents and x0) is kept here.
 */
abstract class TwoStageSampler extends SigmaSpaceSampler {
    private final HeldArray heldSample = new HeldArray();
    private final HeldArray heldX0 = new HeldArray();
    protected float[] stepSigmas = new float[0]; // steps + 1, the last one 0
    private int[] callStep = new int[0];
    private int[] callStage = new int[0];

    TwoStageSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    /** The noise level of step k's second model call (only asked when sigma_{k+1} > 0). */
    protected abstract float secondSigma(int k);

    /** Stage 0 of step k: the latents at {@link #secondSigma(int)} from the step's start {@code x} and its x0. */
    protected abstract NDArray firstStage(int k, NDArray x, NDArray x0, NoiseSource noise);

    /**
     * Stage 1 of step k: the latents at sigma_{k+1} from the step's start {@code x} and x0 (stage 0), and the latents
     * {@code x2} at {@link #secondSigma(int)} with their x0 {@code x02}.
     */
    protected abstract NDArray secondStage(int k, NDArray x, NDArray x0, NDArray x2, NDArray x02, NoiseSource noise);

    @Override
    protected void reset() {
        heldSample.clear();
        heldX0.clear();
        stepSigmas = sigmas;
        float[] stepTimesteps = timesteps;
        int n = stepTimesteps.length;
        int calls = 0;
        for (int k = 0; k < n; k++) calls += stepSigmas[k + 1] > 0 ? 2 : 1;
        float[] t = new float[calls];
        float[] s = new float[calls + 1];
        callStep = new int[calls];
        callStage = new int[calls];
        int c = 0;
        for (int k = 0; k < n; k++) {
            t[c] = stepTimesteps[k];
            s[c] = stepSigmas[k];
            callStep[c] = k;
            c++;
            if (stepSigmas[k + 1] <= 0) continue;
            float mid = secondSigma(k);
            t[c] = mid == stepSigmas[k + 1] ? stepTimesteps[k + 1]
                    : (float) SigmaSchedule.timestepFor(mid, trainSigmas);
            s[c] = mid;
            callStep[c] = k;
            callStage[c] = 1;
            c++;
        }
        timesteps = t;
        sigmas = s;
    }

    /** The noise levels of the steps ({@code steps + 1}, ending in 0); {@link #sigmas()} lists those of the calls. */
    public float[] stepSigmas() {
        return stepSigmas.clone();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        int k = callStep[index];
        NDArray x0 = predictOriginal(modelOutput, sample, sigmas[index]);
        if (callStage[index] == 1) {
            NDArray next = secondStage(k, heldSample.get(), heldX0.get(), sample, x0, noise);
            heldSample.clear();
            heldX0.clear();
            return new StepResult(next, x0);
        }
        if (stepSigmas[k + 1] <= 0) return new StepResult(lastStep(sample, x0, noise), x0);
        heldSample.set(sample);
        heldX0.set(x0);
        return new StepResult(firstStage(k, sample, x0, noise), x0);
    }

    /** The step to sigma 0: Euler, which lands on x0. */
    protected NDArray lastStep(NDArray x, NDArray x0, NoiseSource noise) {
        return x0.duplicate();
    }

    /** img2img: the first call of the step diffusers' {@code get_timesteps} starts at (t_start · order). */
    @Override
    public int startIndex(double strength) {
        int n = inferenceSteps();
        int first = Math.max(n - Math.min((int) (n * strength), n), 0);
        for (int c = 0; c < callStep.length; c++) if (callStep[c] == first && callStage[c] == 0) return c;
        return callStep.length;
    }
}
