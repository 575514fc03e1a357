package org.diffusej.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Where generated samples disagree: the per-pixel mean and sample standard deviation (divisor N−1, as
 * Image › Stacks › Z Project) across N ≥ 2 samples, in raw pixel values, as two 32-bit images. Each sample is a set
 * of planes (one per channel/slice); an RGB plane counts as three channels red, green, blue. The outputs hold one
 * slice per channel × plane, as a hyperstack with the source's channels (×3 for RGB) and slices, and keep its
 * spatial calibration.
 */
public final class VariationMap {
    private static final String[] RGB = {"red", "green", "blue"};

    /** The two maps. */
    public record Maps(ImagePlus sd, ImagePlus mean) { }

    private VariationMap() { }

    /**
     * Mean and SD of {@code samples} (each: the same planes, channel fastest, {@code channels} per slice);
     * {@code like} gives title and calibration.
     */
    public static Maps compute(List<ImageProcessor[]> samples, int channels, ImagePlus like, String what)
            throws UnsuitableImageException {
        if (samples.size() < 2)
            throw new UnsuitableImageException("A variation map needs at least 2 samples; " + what + " has " + samples.size() + ".");
        int w = samples.get(0)[0].getWidth(), h = samples.get(0)[0].getHeight(), planes = samples.get(0).length;
        boolean rgb = samples.get(0)[0] instanceof ColorProcessor;
        ImageStack sd = new ImageStack(w, h), mean = new ImageStack(w, h);
        for (int p = 0; p < planes; p++)
            for (int k = 0; k < (rgb ? 3 : 1); k++) {
                List<float[]> values = new ArrayList<>();
                for (ImageProcessor[] sample : samples) values.add(channel(sample[p], k));
                FloatProcessor[] ms = meanAndSd(values, w, h);
                String label = (rgb ? RGB[k] : "c" + (p % channels + 1)) + (planes > channels ? " z" + (p / channels + 1) : "");
                mean.addSlice("mean " + label, ms[0]);
                sd.addSlice("SD " + label, ms[1]);
            }
        int outChannels = channels * (rgb ? 3 : 1);
        return new Maps(image(like.getTitle() + " variation SD", sd, outChannels, like, samples.size(), what),
                image(like.getTitle() + " variation mean", mean, outChannels, like, samples.size(), what));
    }

    /** Per-pixel mean and sample SD (N−1) of equally sized {@code values}, in double precision. */
    static FloatProcessor[] meanAndSd(List<float[]> values, int w, int h) {
        int n = values.size();
        float[] mean = new float[w * h], sd = new float[w * h];
        for (int i = 0; i < mean.length; i++) {
            double sum = 0;
            for (float[] v : values) sum += v[i];
            double m = sum / n, squares = 0;
            for (float[] v : values) squares += (v[i] - m) * (v[i] - m);
            mean[i] = (float) m;
            sd[i] = (float) Math.sqrt(squares / (n - 1));
        }
        return new FloatProcessor[] {new FloatProcessor(w, h, mean), new FloatProcessor(w, h, sd)};
    }

    /** Channel {@code k} (0 red, 1 green, 2 blue) of an RGB plane; the raw values of any other plane. */
    private static float[] channel(ImageProcessor ip, int k) {
        if (ip instanceof ColorProcessor cp) {
            byte[] bytes = cp.getChannel(k + 1, null).getPixels() instanceof byte[] b ? b : new byte[0];
            float[] out = new float[bytes.length];
            for (int i = 0; i < out.length; i++) out[i] = bytes[i] & 0xff;
            return out;
        }
        float[] out = new float[ip.getPixelCount()];
        for (int i = 0; i < out.length; i++) out[i] = ip.getf(i);
        return out;
    }

    private static ImagePlus image(String title, ImageStack stack, int channels, ImagePlus like, int n, String what) {
        ImagePlus out = new ImagePlus(title, stack);
        out.setDimensions(channels, stack.size() / channels, 1);
        out.setOpenAsHyperStack(stack.size() > 1);
        Calibration cal = like.getCalibration().copy();
        cal.disableDensityCalibration();
        out.setCalibration(cal);
        for (int s = 1; s <= stack.size(); s++) {
            out.setSliceWithoutUpdate(s);
            out.resetDisplayRange();
        }
        out.setSliceWithoutUpdate(1);
        out.setProperty("Info", "DiffuseJ variation map of \"" + like.getTitle() + "\": " + n + " samples (" + what
                + "), raw pixel values, SD with divisor N-1.\n");
        return out;
    }
}
