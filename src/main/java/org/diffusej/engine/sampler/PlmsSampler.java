package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.diffusej.engine.NoiseSource;

import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.SamplerNames;

/**
 * PLMS: pseudo linear multistep (Liu et al. 2022), diffusers' {@code PNDMScheduler} with {@code skip_prk_steps} as
 * SD 1.x ships it. The second timestep is repeated: the first step is completed by a second UNet call (Heun-like
 * average), so the UNet runs n + 1 times.
 */
public final class PlmsSampler extends AlphaSampler {
    private final List<NDArray> history = new ArrayList<>(); // past model outputs, newest last, at most 4
    private NDArray firstSample;
    private int counter;

    public PlmsSampler(NoiseSchedule schedule) {
        super(schedule);
    }

    @Override public String name() { return SamplerNames.PLMS; }

    @Override
    public void setTimesteps(int steps) {
        requirePositive(steps);
        inferenceSteps = steps;
        double[] t = schedule.spacing().timesteps(steps, schedule.numTrainTimesteps(), schedule.stepsOffset(), true);
        // diffusers: reverse(a[:-1] + a[-2:-1] + a[-1:]) of the ascending a, i.e. t0, t1, t1, t2, ..., t(n-1)
        timesteps = new float[steps == 1 ? 1 : steps + 1];
        timesteps[0] = (float) t[0];
        for (int i = 1; i < timesteps.length; i++) timesteps[i] = (float) t[Math.max(i - 1, 1)];
        clearHistory();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        int ratio = schedule.numTrainTimesteps() / inferenceSteps;
        int t = (int) timesteps[index];
        int prevT = t - ratio;
        if (counter != 1) {
            remember(modelOutput);
        } else { // second call of the first step: same step again, from the first step's input
            prevT = t;
            t = t + ratio;
        }
        NDArray eps;
        if (history.size() == 1 && counter == 0) {
            eps = modelOutput;
            keepFirstSample(sample);
        } else if (history.size() == 1 && counter == 1) {
            eps = modelOutput.add(history.get(0)).div(2f);
            sample = firstSample;
        } else if (history.size() == 2) {
            eps = history.get(1).mul(3f).sub(history.get(0)).div(2f);
        } else if (history.size() == 3) {
            eps = history.get(2).mul(23f).sub(history.get(1).mul(16f)).add(history.get(0).mul(5f)).div(12f);
        } else {
            eps = history.get(3).mul(55f).sub(history.get(2).mul(59f)).add(history.get(1).mul(37f))
                    .sub(history.get(0).mul(9f)).mul(1f / 24f);
        }
        NDArray prev = previousSample(sample, t, prevT, eps);
        counter++;
        return new StepResult(prev, predictOriginal(eps, sample, alphaAt(t)));
    }

    /** Formula (9) of the PNDM paper: x_{t-δ} from x_t and the combined eps (or v) estimate. */
    private NDArray previousSample(NDArray sample, int t, int prevT, NDArray modelOutput) {
        float a = alphaAt(t);
        float aPrev = alphaAt(prevT);
        float b = 1f - a;
        float bPrev = 1f - aPrev;
        modelOutput = predictNoise(modelOutput, sample, a);
        float sampleCoeff = Float32.sqrt(aPrev / a);
        float denom = a * Float32.sqrt(bPrev) + Float32.sqrt(a * b * aPrev);
        return sample.mul(sampleCoeff).sub(modelOutput.mul(aPrev - a).div(denom));
    }

    /** History outlives the caller's per-step scope: detach the kept arrays from it. */
    private void remember(NDArray modelOutput) {
        if (history.size() == 4) history.remove(0).close();
        NDArray kept = modelOutput.duplicate();
        NDScope.unregister(kept);
        history.add(kept);
    }

    private void keepFirstSample(NDArray sample) {
        if (firstSample != null) firstSample.close();
        firstSample = sample.duplicate();
        NDScope.unregister(firstSample);
    }

    private void clearHistory() {
        history.forEach(NDArray::close);
        history.clear();
        if (firstSample != null) firstSample.close();
        firstSample = null;
        counter = 0;
    }
}
