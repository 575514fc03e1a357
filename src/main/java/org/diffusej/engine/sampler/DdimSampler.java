package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/** DDIM (Song et al. 2020, eta = 0): deterministic, like diffusers' {@code DDIMScheduler}. */
public final class DdimSampler extends AlphaSampler {

    public DdimSampler(NoiseSchedule schedule) {
        super(schedule);
    }

    @Override public String name() { return SamplerNames.DDIM; }

    @Override
    public void setTimesteps(int steps) {
        requirePositive(steps);
        if (steps > schedule.numTrainTimesteps())
            throw new IllegalArgumentException("DDIM cannot run more than " + schedule.numTrainTimesteps() + " steps");
        inferenceSteps = steps;
        double[] t = schedule.spacing().timesteps(steps, schedule.numTrainTimesteps(), schedule.stepsOffset(), true);
        timesteps = new float[steps];
        for (int i = 0; i < steps; i++) timesteps[i] = (float) t[i];
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        // 1. previous timestep: t - T/n (formula (12) of the paper walks the schedule backwards)
        int t = (int) timesteps[index];
        int prevT = t - schedule.numTrainTimesteps() / inferenceSteps;
        // 2. alphas
        float alphaProd = alphaAt(t);
        float alphaProdPrev = alphaAt(prevT);
        // 3. predicted x0 and the noise it implies
        NDArray predOriginal = predictOriginal(modelOutput, sample, alphaProd);
        NDArray predEpsilon = predictNoise(modelOutput, sample, alphaProd);
        // 4. direction pointing to x_t and x_{t-1} without random noise (eta = 0)
        NDArray direction = predEpsilon.mul(Float32.sqrt(1f - alphaProdPrev));
        NDArray prev = predOriginal.mul(Float32.sqrt(alphaProdPrev)).add(direction);
        return new StepResult(prev, predOriginal);
    }
}
