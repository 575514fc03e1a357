package org.diffusej.imglib2;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/** One engine request on ImgLib2 images: the image (and mask) in, every result as an {@code Img<FloatType>} in the image's value range. */
public final class ImgGeneration {

    /** Runs one request (the DiffusionService's shared engine). */
    @FunctionalInterface
    public interface Generator {
        Result run(Request request) throws DiffusionException;
    }

    private ImgGeneration() { }

    /**
     * Runs {@code template} (mode, prompt, steps...) with {@code image} as the init image and {@code mask} (may be
     * null) as the inpaint mask; results come back grey (2D) or RGB (X, Y, 3) like the image, in its data range.
     */
    public static <T extends RealType<T>, M extends RealType<M>> List<Img<FloatType>> run(Generator generator,
            RandomAccessibleInterval<T> image, RandomAccessibleInterval<M> mask, Request.Builder template) throws DiffusionException {
        if (image == null) throw new IllegalArgumentException("No image given.");
        boolean rgb = ImgConversion.isRgb(image);
        double[] range = ImgConversion.range(image);
        RgbImage input = ImgConversion.toRgb(image, range);
        template.initImage(input);
        if (mask != null) template.mask(ImgConversion.toMask(mask, input.width(), input.height()));
        Result result = generator.run(template.build());
        if (result.images().isEmpty()) throw new CancelledException();
        List<Img<FloatType>> out = new ArrayList<>();
        for (RgbImage img : result.images()) out.add(ImgConversion.toFloatImg(img, rgb, range));
        return out;
    }
}
