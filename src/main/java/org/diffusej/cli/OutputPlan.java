package org.diffusej.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file names a command will write, decided (and checked against existing files) before any work starts:
 * {@code --out x.png} names the first image ({@code x-2.png}, ... for the others); a folder gets
 * {@code <stem>-<seed>.<ext>}. Each image has a JSON sidecar with the same name and {@code .json}.
 */
final class OutputPlan {
    private OutputPlan() { }

    /**
     * @param out   {@code --out} (null = current folder)
     * @param stem  name stem for files in a folder ({@code txt2img}, the input's name, ...)
     * @param seeds one per image
     * @param ext   {@code png} or {@code tif}, used when {@code out} is a folder
     */
    static List<Path> plan(Path out, String stem, List<Long> seeds, String ext, boolean force) throws InputException {
        List<Path> files = new ArrayList<>();
        Path base = out == null ? Path.of("") : out;
        String name = base.getFileName() == null ? "" : base.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean isFile = name.endsWith(".png") || name.endsWith(".tif") || name.endsWith(".tiff");
        if (!isFile) checkFolder(base, name);
        for (int i = 0; i < seeds.size(); i++) {
            if (isFile) {
                String f = base.getFileName().toString();
                int dot = f.lastIndexOf('.');
                files.add(i == 0 ? base : base.resolveSibling(f.substring(0, dot) + "-" + (i + 1) + f.substring(dot)));
            } else {
                files.add(base.resolve(stem + "-" + seeds.get(i) + "." + ext));
            }
        }
        if (!force)
            for (Path f : files)
                for (Path p : List.of(f, sidecar(f)))
                    if (Files.exists(p))
                        throw new InputException(p + " already exists: choose another --out or add --force to "
                                + "replace it.");
        return files;
    }

    /**
     * A folder output must be an existing folder or a new name without an image-like extension: {@code -o x.jpg}
     * would otherwise silently create a folder {@code x.jpg/}.
     */
    private static void checkFolder(Path base, String name) throws InputException {
        if (Files.isDirectory(base)) return;
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot + 1) : "";
        if (Files.exists(base) || IMAGE_EXTENSIONS.contains(ext))
            throw new InputException("Cannot write to " + base + ": --out takes a .png, .tif or .tiff file name, or a "
                    + "folder (an existing one, or a new name without an image extension).");
    }

    /** Extensions that name an image (or another file), never a new output folder. */
    private static final java.util.Set<String> IMAGE_EXTENSIONS = java.util.Set.of("jpg", "jpeg", "jpe", "jfif", "gif",
            "bmp", "webp", "avif", "heic", "heif", "jxl", "jp2", "j2k", "exr", "hdr", "tga", "psd", "kra", "ora", "xcf",
            "pgm", "ppm", "pbm", "pnm", "ico", "svg", "raw", "dng", "cr2", "nef", "json", "txt", "gz", "zip");

    /** The JSON record written next to an image. */
    static Path sidecar(Path image) {
        String f = image.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return image.resolveSibling((dot > 0 ? f.substring(0, dot) : f) + ".json");
    }
}
