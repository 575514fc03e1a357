package org.diffusej.imagej;

import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.scijava.service.SciJavaService;

/**
 * Owns the one loaded diffusion engine of a SciJava context: every DiffuseJ command (and the Krita bridge when
 * started from Fiji) shares it. The model loads on first use and stays loaded until {@link #unload()} or until
 * other {@link #settings()} are chosen; generations run one at a time. ImageJ2 scripts ({@code #@ DiffusionService
 * diffusion}) call {@link #inpaint}, {@link #restyle}, {@link #augment} and {@link #generate(RandomAccessibleInterval,
 * RandomAccessibleInterval, Request.Builder)} on ImgLib2 images (2D grey, or X, Y, 3 for RGB; see
 * {@link org.diffusej.imglib2.ImgConversion}).
 */
public interface DiffusionService extends SciJavaService {

    /** The model, device and precision the engine is (or will be) loaded with. */
    EngineSettings settings();

    /** Chooses what to load; unloads the current engine if the settings differ. Remembered across sessions. */
    void configure(EngineSettings settings);

    /** Replaces how engines are opened (tests, other back ends); unloads the current engine. */
    void setEngineFactory(EngineFactory factory);

    /** True when a model is loaded. */
    boolean isLoaded();

    /** The loaded model, loading it first if needed. */
    ModelInfo model() throws DiffusionException;

    /** Runs one request on the shared engine, after any running one; loads the model first if needed. */
    Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException;

    /** Asks the running generation (if any) to stop after its current step. */
    void cancelRunning();

    /** Frees the loaded model (memory, GPU). The next generation loads it again. */
    void unload();

    /**
     * The shared engine as a {@link DiffusionEngine} for other faces (the HTTP bridge): calls go through
     * {@link #generate}, and its {@code close()} leaves the model loaded (this service owns it).
     */
    DiffusionEngine sharedEngine();

    // -- ImgLib2 scripting --

    /**
     * Runs {@code template} (mode, prompt, steps, sampler...) on {@code image} with {@code mask} (null: none); the
     * results in the image's shape and data range.
     */
    default <T extends RealType<T>, M extends RealType<M>> List<Img<FloatType>> generate(RandomAccessibleInterval<T> image,
            RandomAccessibleInterval<M> mask, Request.Builder template) throws DiffusionException {
        return org.diffusej.imglib2.ImgGeneration.run(r -> generate(r, ProgressListener.NONE, new CancellationToken()),
                image, mask, template);
    }

    /** Repaints the non-zero pixels of {@code mask} in {@code image} from {@code prompt} (−1: random seed). */
    default <T extends RealType<T>, M extends RealType<M>> Img<FloatType> inpaint(RandomAccessibleInterval<T> image,
            RandomAccessibleInterval<M> mask, String prompt, long seed) throws DiffusionException {
        if (mask == null) throw new IllegalArgumentException("Inpainting needs a mask (non-zero pixels are repainted).");
        return generate(image, mask, Request.builder(Mode.INPAINT).prompt(prompt).seed(seed)).get(0);
    }

    /** img2img of the whole {@code image} at denoising {@code strength} (0..1). */
    default <T extends RealType<T>> Img<FloatType> restyle(RandomAccessibleInterval<T> image, String prompt, double strength, long seed)
            throws DiffusionException {
        return generate(image, (RandomAccessibleInterval<FloatType>) null, Request.builder(Mode.IMG2IMG).prompt(prompt).strength(strength).seed(seed)).get(0);
    }

    /** {@code variants} seeded img2img variants of {@code image} (seeds seed, seed+1, ...). */
    default <T extends RealType<T>> List<Img<FloatType>> augment(RandomAccessibleInterval<T> image, String prompt, double strength,
            int variants, long seed) throws DiffusionException {
        return generate(image, (RandomAccessibleInterval<FloatType>) null, Request.builder(Mode.IMG2IMG).prompt(prompt).strength(strength).seed(seed)
                .batchSize(1).batchCount(variants));
    }

    /** A result ({@code Img<FloatType>}) in the pixel type of {@code like}, usually the input image. */
    default <T extends NativeType<T> & RealType<T>> Img<T> inTypeOf(RandomAccessibleInterval<FloatType> result,
            RandomAccessibleInterval<T> like) {
        return org.diffusej.imglib2.ImgConversion.inTypeOf(result, like);
    }
}
