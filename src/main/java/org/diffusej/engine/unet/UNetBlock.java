package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.Downsample;
import org.diffusej.engine.nn.ResnetBlock;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.nn.SpatialTransformer;
import org.diffusej.engine.nn.Upsample;

/**
 * One entry of the LDM UNet's {@code input_blocks} / {@code middle_block} / {@code output_blocks} lists
 * ({@code TimestepEmbedSequential}): any of a plain conv, a resnet block, a spatial transformer, a down- or
 * upsampler, applied in that order (absent parts are null).
 */
final class UNetBlock {
    private final Conv2d conv;
    private final ResnetBlock resnet;
    private final SpatialTransformer transformer;
    private final ResnetBlock resnetAfter;
    private final Downsample down;
    private final Upsample up;

    private UNetBlock(Conv2d conv, ResnetBlock resnet, SpatialTransformer transformer, ResnetBlock resnetAfter,
                      Downsample down, Upsample up) {
        this.conv = conv;
        this.resnet = resnet;
        this.transformer = transformer;
        this.resnetAfter = resnetAfter;
        this.down = down;
        this.up = up;
    }

    static UNetBlock conv(Conv2d conv) { return new UNetBlock(conv, null, null, null, null, null); }

    static UNetBlock down(Downsample down) { return new UNetBlock(null, null, null, null, down, null); }

    /** Resnet, optional transformer, optional upsampler. */
    static UNetBlock level(ResnetBlock resnet, SpatialTransformer transformer, Upsample up) {
        return new UNetBlock(null, resnet, transformer, null, null, up);
    }

    /** The middle block: resnet, transformer, resnet. */
    static UNetBlock middle(ResnetBlock first, SpatialTransformer transformer, ResnetBlock second) {
        return new UNetBlock(null, first, transformer, second, null, null);
    }

    NDArray forward(NDArray x, NDArray emb, NDArray context) {
        return ScopedCall.run(() -> {
            NDArray h = x;
            if (conv != null) h = conv.forward(h);
            if (resnet != null) h = resnet.forward(h, emb);
            if (transformer != null) h = transformer.forward(h, context);
            if (resnetAfter != null) h = resnetAfter.forward(h, emb);
            if (down != null) h = down.forward(h);
            if (up != null) h = up.forward(h);
            return h;
        });
    }
}
