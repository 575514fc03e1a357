package org.diffusej.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.diffusej.engine.noise.BrownianTree;
import org.diffusej.engine.runtime.TorchRuntime;

import java.util.ArrayList;
import java.util.List;

/**
 * Seeded noise from libtorch's global CPU generator ({@code Engine.setRandomSeed} + {@code randomNormal} is
 * bit-identical to {@code torch.manual_seed} + {@code torch.randn}). Several sources may interleave (one per batch
 * item, seed + k): the generator is process-wide, so a source that was not the last to draw reseeds and replays its
 * own earlier draws before drawing again, which yields exactly the values a private {@code torch.Generator} would.
 */
final class SeededNoiseSource implements NoiseSource {
    /** The source whose draws the global generator state continues, or null. */
    private static SeededNoiseSource lastDrawer;

    private final long seed;
    private final List<Shape> drawn = new ArrayList<>();
    private BrownianTree tree; // for the run's sigma range and shape; rebuilt when they change
    private double treeMin, treeMax;

    SeededNoiseSource(long seed) {
        this.seed = seed;
    }

    @Override
    public NDArray next(Shape shape, NDManager manager) {
        synchronized (SeededNoiseSource.class) {
            if (lastDrawer != this) {
                JniUtils.setSeed(seed); // = Engine.setRandomSeed without the int limit (A1111 seeds reach 2^32-1)
                for (Shape s : drawn) draw(s, manager).close();
                lastDrawer = this;
            }
            drawn.add(shape);
            return draw(shape, manager);
        }
    }

    /** Always from the CPU generator (CUDA's would give other numbers), then moved to the manager's device. */
    private static NDArray draw(Shape shape, NDManager manager) {
        if (manager.getDevice().equals(Device.cpu())) return manager.randomNormal(0f, 1f, shape, DataType.FLOAT32);
        try (NDManager cpu = TorchRuntime.newManager(Device.cpu())) {
            NDArray moved = cpu.randomNormal(0f, 1f, shape, DataType.FLOAT32).toDevice(manager.getDevice(), true);
            moved.attach(manager);
            return moved;
        }
    }

    /** The increment of a Brownian tree over sigma seeded by this seed (A1111 seeds its tree with the image's seed). */
    @Override
    public NDArray brownian(double sigma, double sigmaNext, double sigmaMin, double sigmaMax, Shape shape,
                            NDManager manager) {
        int size = Math.toIntExact(shape.size());
        if (tree == null || treeMin != sigmaMin || treeMax != sigmaMax || tree.size() != size) {
            tree = new BrownianTree(seed, sigmaMin, sigmaMax, size);
            treeMin = sigmaMin;
            treeMax = sigmaMax;
        }
        double[] w = tree.increment(sigma, sigmaNext);
        float[] f = new float[w.length];
        for (int i = 0; i < w.length; i++) f[i] = (float) w[i];
        return manager.create(f, shape);
    }

    @Override
    public String toString() {
        return "seeded(" + seed + ")";
    }
}
