package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place where engine images become tensors and back: RGB in [0, 1] ⇄ {@code [N,3,H,W]} in [−1, 1] (the
 * VAE's range, diffusers' {@code 2x−1} and {@code (x/2+0.5).clamp(0,1)}), masks ⇄ {@code [1,1,H,W]}.
 */
public final class ImageTensors {
    private ImageTensors() { }

    /** {@code [1, 3, H, W]} float32 in [−1, 1]. */
    public static NDArray toTensor(RgbImage image, NDManager manager) {
        float[] p = image.planes();
        float[] v = new float[p.length];
        for (int i = 0; i < v.length; i++) v[i] = 2.0f * p[i] - 1.0f;
        return manager.create(v, new Shape(1, 3, image.height(), image.width()));
    }

    /** The first image of {@code [N,3,H,W]} (or a {@code [3,H,W]} tensor) in [−1, 1] as an RGB image in [0, 1]. */
    public static RgbImage toImage(NDArray tensor) {
        if (tensor.getShape().dimension() != 3) return toImages(tensor).get(0);
        try (NDArray batch = tensor.expandDims(0)) {
            return toImages(batch).get(0);
        }
    }

    /** Every image of a {@code [N,3,H,W]} tensor in [−1, 1]. */
    public static List<RgbImage> toImages(NDArray tensor) {
        Shape s = tensor.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) throw new IllegalArgumentException("expected [N,3,H,W], got " + s);
        int n = (int) s.get(0), h = (int) s.get(2), w = (int) s.get(3), size = 3 * h * w;
        float[] all = floats(tensor);
        List<RgbImage> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) v[i] = Math.min(1f, Math.max(0f, all[k * size + i] / 2 + 0.5f));
            out.add(new RgbImage(w, h, v));
        }
        return out;
    }

    /** {@code [1, 1, H, W]} float32, values as they are (1 = repaint). */
    public static NDArray toTensor(Mask mask, NDManager manager) {
        return manager.create(mask.values().clone(), new Shape(1, 1, mask.height(), mask.width()));
    }

    /** A {@code [1,1,H,W]}, {@code [1,H,W]} or {@code [H,W]} tensor as a mask. */
    public static Mask toMask(NDArray tensor) {
        Shape s = tensor.getShape();
        long h = s.get(s.dimension() - 2), w = s.get(s.dimension() - 1);
        if (s.size() != h * w) throw new IllegalArgumentException("expected one mask plane, got " + s);
        return new Mask((int) w, (int) h, floats(tensor));
    }

    /** The values as float32, without closing the caller's array. */
    static float[] floats(NDArray tensor) {
        if (tensor.getDataType() == DataType.FLOAT32) return tensor.toFloatArray();
        try (NDArray f = tensor.toType(DataType.FLOAT32, false)) {
            return f.toFloatArray();
        }
    }
}
