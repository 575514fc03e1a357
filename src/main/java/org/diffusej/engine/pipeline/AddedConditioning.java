package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.engine.unet.MicroConditioning;
import org.diffusej.engine.unet.UNet;

/**
 * SDXL's vector conditioning for one batch: the pooled text embeddings of the negative and the positive prompt with
 * the time ids A1111 and diffusers send by default (original = target = the processing size, crop 0, 0; the
 * negative gets the same ids), turned into a {@link DenoisingLoop.NoisePredictor} that passes the UNet the rows that
 * match the loop's batch (negative then positive under classifier-free guidance, positive alone without it).
 *
 * @param pooledNegative {@code [1, P]}
 * @param pooledPositive {@code [1, P]}
 */
record AddedConditioning(NDArray pooledNegative, NDArray pooledPositive) {

    /** The noise predictor for {@code batch} images of {@code width} × {@code height} pixels; arrays go to {@code m}. */
    DenoisingLoop.NoisePredictor predictor(UNet unet, int batch, int width, int height, NDArray timestepCond, NDManager m) {
        MicroConditioning size = MicroConditioning.ofSize(width, height);
        return predictor(unet, batch, size, size, timestepCond, m);
    }

    /** The noise predictor with explicit time ids for the negative and the positive rows. */
    DenoisingLoop.NoisePredictor predictor(UNet unet, int batch, MicroConditioning negativeIds, MicroConditioning positiveIds,
                                           NDManager m) {
        return predictor(unet, batch, negativeIds, positiveIds, null, m);
    }

    /**
     * As {@link #predictor(UNet, int, MicroConditioning, MicroConditioning, NDManager)}, plus an LCM guidance
     * embedding {@code timestepCond} [batch, timeCondProjDim] (null = none; only used without classifier-free guidance).
     */
    DenoisingLoop.NoisePredictor predictor(UNet unet, int batch, MicroConditioning negativeIds, MicroConditioning positiveIds,
                                           NDArray timestepCond, NDManager m) {
        int dim = MicroConditioning.timeEmbedDim(unet.config().admInChannels(), (int) pooledPositive.getShape().get(1));
        NDArray positive = MicroConditioning.vector(pooledPositive.repeat(0, batch),
                positiveIds.timeIds(m).repeat(0, batch), dim);                                   // [B, P + 6·dim]
        NDArray both = MicroConditioning.vector(pooledNegative.repeat(0, batch),
                negativeIds.timeIds(m).repeat(0, batch), dim).concat(positive, 0);               // [2B, P + 6·dim]
        positive.attach(m);
        both.attach(m);
        return (sample, t, context) -> unet.forward(sample, t, context,
                sample.getShape().get(0) == batch ? positive : both, timestepCond);
    }
}
