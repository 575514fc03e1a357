package org.diffusej.imagej;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Scientific augmentation of the current image (all planes) or of every image in a folder: N seeded img2img
 * variants per plane at a low strength, in the source bit depth with calibration kept, parameters per slice.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Augment...", weight = MenuOrder.AUGMENT)})
public class AugmentCommand extends GenerationCommand {

    private static final List<String> IMAGE_SUFFIXES = List.of(".tif", ".tiff", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".zip");

    // Not required: Fiji fills it from the active image; folder mode does not need it. Folders are not remembered:
    // a macro line without input= must mean the current image, not last session's folder.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Input folder (empty = current image)", style = "directory", required = false, persist = false)
    private File input;

    @Parameter(label = "Output folder (folder mode)", style = "directory", required = false, persist = false)
    private File output;

    @Parameter(label = "Variants per image", min = "1", max = "64")
    private int variants = 4;

    @Parameter(label = "Denoising strength", min = "0", max = "1", stepSize = "0.05", style = "slider")
    private double strength = 0.3;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
        if (input == null || input.getPath().isBlank()) {
            result = Augmentation.augment(requireImage(imp), request(Mode.IMG2IMG).strength(strength), variants, seed, this::generate);
            return;
        }
        if (!input.isDirectory()) throw new UnsuitableImageException("The input folder " + input + " does not exist.");
        if (output == null || output.getPath().isBlank())
            throw new UnsuitableImageException("Choose an output folder for the augmented images.");
        if (!output.isDirectory() && !output.mkdirs())
            throw new UnsuitableImageException("Cannot create the output folder " + output + ".");
        List<String> done = new ArrayList<>();
        for (File f : imageFiles(input)) {
            ImagePlus source = IJ.openImage(f.getPath());
            if (source == null) {
                log.warn("DiffuseJ: skipped " + f.getName() + " (ImageJ cannot open it).");
                continue;
            }
            ImagePlus augmented = Augmentation.augment(source, request(Mode.IMG2IMG).strength(strength), variants, seed, this::generate);
            File target = new File(output, baseName(f.getName()) + "-augmented.tif");
            if (!IJ.saveAsTiff(augmented, target.getPath()))
                throw new UnsuitableImageException("Cannot write " + target + ".");
            done.add(target.getName());
        }
        if (done.isEmpty()) throw new UnsuitableImageException("The folder " + input + " holds no image ImageJ can open.");
        report("DiffuseJ: augmented " + done.size() + " image(s) into " + output + ": " + String.join(", ", done));
    }

    static List<File> imageFiles(File folder) {
        File[] files = folder.listFiles(f -> f.isFile() && IMAGE_SUFFIXES.stream()
                .anyMatch(s -> f.getName().toLowerCase(Locale.ROOT).endsWith(s)));
        if (files == null) return List.of();
        Arrays.sort(files);
        return List.of(files);
    }

    private static String baseName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
