package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.image.ImageTensors;
import org.diffusej.engine.image.Resampler;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;

import java.util.List;

/**
 * A1111's hires fix around the txt2img pass: the output size (a scale, or a target size with A1111's aspect rules and
 * centre crop), the upscale of the first pass's latents ("Latent": bilinear on the latents as torch's
 * {@code interpolate(mode="bilinear", align_corners=False)}; "Lanczos": decode, Lanczos-resize the image, encode) and
 * the second pass's sampler and step count.
 */
final class HiresPass {
    static final double MAX_SCALE = 4;
    /** Smallest hires side in pixels. */
    static final int MIN_SIZE = 64;

    private HiresPass() { }

    /**
     * The hires sizes as A1111's {@code calculate_target_resolution} computes them: the latents are upscaled to
     * {@code upWidth × upHeight} (int(size × scale); or the target size, the missing side from the base aspect; with
     * both sides set, the size that covers the target at the base aspect) and centre-cropped to {@code width × height}.
     */
    record Size(int upWidth, int upHeight, int width, int height) {
        static Size of(Request r) {
            Request.Hires h = r.hires();
            int w = r.width(), ht = r.height();
            if (!h.resizes()) {
                int x = (int) (w * h.scale()), y = (int) (ht * h.scale());
                return new Size(x, y, x, y);
            }
            int rx = h.resizeX(), ry = h.resizeY();
            if (ry == 0) return new Size(rx, rx * ht / w, rx, rx * ht / w);
            if (rx == 0) return new Size(ry * w / ht, ry, ry * w / ht, ry);
            if ((double) w / ht < (double) rx / ry) return new Size(rx, rx * ht / w, rx, ry);
            return new Size(ry * w / ht, ry, rx, ry);
        }
    }

    /** The output width of a hires request. */
    static int width(Request r) {
        return Size.of(r).width();
    }

    /** The output height of a hires request. */
    static int height(Request r) {
        return Size.of(r).height();
    }

    /** Refuses what the hires pass cannot do, with the reason. */
    static void check(Request r, long maxPixels) throws InvalidRequestException {
        Request.Hires h = r.hires();
        if (h == null) return;
        if (r.mode() != Mode.TXT2IMG)
            throw new InvalidRequestException("The hires fix is a txt2img option; img2img and inpaint set their size.");
        if (h.resizeX() < 0 || h.resizeY() < 0)
            throw new InvalidRequestException("Hires resize width and height must be 0 (unset) or more, got "
                    + h.resizeX() + "x" + h.resizeY() + ".");
        if (!h.resizes() && !(h.scale() >= 1 && h.scale() <= MAX_SCALE))
            throw new InvalidRequestException("Hires upscale must be in [1, " + (int) MAX_SCALE + "], got " + h.scale() + ".");
        if (!(h.strength() >= 0 && h.strength() <= 1))
            throw new InvalidRequestException("Hires denoising strength must be in [0, 1], got " + h.strength() + ".");
        if (h.steps() < 0) throw new InvalidRequestException("Hires steps must be 0 (same as steps) or more, got " + h.steps() + ".");
        if (!h.latent() && !h.upscaler().equalsIgnoreCase(Request.Hires.LANCZOS))
            throw new InvalidRequestException("Unknown hires upscaler '" + h.upscaler() + "'. Valid upscalers: "
                    + Request.Hires.LATENT + ", " + Request.Hires.LANCZOS + ".");
        Size size = Size.of(r);
        if (Math.min(size.width(), size.height()) < MIN_SIZE)
            throw new InvalidRequestException("The hires size " + size.width() + "x" + size.height() + " is below "
                    + MIN_SIZE + " pixels on a side; set a larger hires resize.");
        long pixels = (long) size.upWidth() * size.upHeight() * r.batchSize();
        if (pixels > maxPixels)
            throw new InvalidRequestException("The hires size " + size.upWidth() + "x" + size.upHeight() + " × batch "
                    + r.batchSize() + " exceeds the limit of " + maxPixels + " pixels; lower the hires upscale or the batch size.");
    }

    /** The sampler of the second pass (its own sampler and schedule, or the request's), after {@code setTimesteps}. */
    static Sampler sampler(Request r, NoiseSchedule schedule) throws DiffusionException {
        Request.Hires h = r.hires();
        Sampler s = Samplers.create(h.samplerFor(r), h.schedulerFor(r), schedule);
        s.setTimesteps(h.stepsFor(r));
        return s;
    }

    /**
     * The second pass's starting latents before noise: the first pass's {@code [B,4,h,w]} upscaled to the hires size
     * at the processing {@code multiple}, then centre-cropped to the target (A1111's {@code truncate_x/y}: the odd
     * row or column goes at the end).
     */
    static NDArray start(NDArray latents, Request r, LatentCodec codec, NoiseSource noise, int multiple) {
        Size size = Size.of(r);
        int f = codec.downscale();
        int upH = Resampler.nearestMultiple(size.upHeight(), multiple) / f;
        int upW = Resampler.nearestMultiple(size.upWidth(), multiple) / f;
        NDArray up = upscale(latents, r.hires(), upH, upW, codec, noise);                 // [B, 4, upH, upW]
        int h = Math.min(upH, Resampler.nearestMultiple(size.height(), multiple) / f);
        int w = Math.min(upW, Resampler.nearestMultiple(size.width(), multiple) / f);
        if (h == upH && w == upW) return up;
        int top = (upH - h) / 2, left = (upW - w) / 2;
        return up.get(":, :, " + top + ":" + (top + h) + ", " + left + ":" + (left + w));  // [B, 4, h, w]
    }

    /** The first pass's latents {@code [B,4,h,w]} at the hires latent size {@code [B,4,outH,outW]}. */
    private static NDArray upscale(NDArray latents, Request.Hires h, int outH, int outW, LatentCodec codec, NoiseSource noise) {
        if (h.latent()) return bilinear(latents, outH, outW);
        int f = codec.downscale();
        List<RgbImage> images = codec.decode(latents);
        NDManager m = latents.getManager();
        NDList parts = new NDList();
        for (RgbImage img : images)
            parts.add(ImageTensors.toTensor(Resampler.resize(img, outW * f, outH * f, Resampler.Filter.LANCZOS), m));
        NDArray batch = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);     // [B, 3, H, W]
        return codec.encode(batch, noise);
    }

    /** Bilinear resize of {@code [B,C,h,w]} with half-pixel centres and edge clamping (align_corners=False). */
    static NDArray bilinear(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        int planes = (int) (s.get(0) * s.get(1)), h = (int) s.get(2), w = (int) s.get(3);
        float[] in = x.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] out = new float[planes * outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            double sy = Math.max((oy + 0.5) * h / outH - 0.5, 0);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            float fy = (float) (sy - y0);
            for (int ox = 0; ox < outW; ox++) {
                double sx = Math.max((ox + 0.5) * w / outW - 0.5, 0);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                float fx = (float) (sx - x0);
                for (int p = 0; p < planes; p++) {
                    int b = p * h * w;
                    float top = in[b + y0 * w + x0] * (1 - fx) + in[b + y0 * w + x1] * fx;
                    float bottom = in[b + y1 * w + x0] * (1 - fx) + in[b + y1 * w + x1] * fx;
                    out[p * outH * outW + oy * outW + ox] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return x.getManager().create(out, new Shape(s.get(0), s.get(1), outH, outW)).toType(x.getDataType(), false);
    }
}
