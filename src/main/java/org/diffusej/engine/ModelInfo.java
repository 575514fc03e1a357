package org.diffusej.engine;

import org.diffusej.engine.runtime.PrecisionChoice;
import java.nio.file.Path;

/**
 * What a loaded model is, for provenance and for the model pickers.
 *
 * @param name            file or folder name without extension (A1111 "Model")
 * @param location        where it was loaded from
 * @param shortHash       first 10 hex of the file's SHA-256 (A1111 "Model hash"); for folders the hash of the UNet file
 * @param family          "SD1", "SD2" or "SDXL"
 * @param inpainting      true for 9-channel inpainting UNets
 * @param vPrediction     true when the model predicts v instead of epsilon
 * @param precision       how its compute precision was chosen; null where unknown (engines that are not a
 *                        loaded StableDiffusionModel)
 * @param defaultSize     the side length the model was trained at, where it generates best (the faces' default
 *                        width and height): see {@link #familySize}; 512 for SD-Turbo and SDXL-Turbo
 */
public record ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                        boolean vPrediction, PrecisionChoice precision, int defaultSize) {
    /** With the family's default size ({@link #familySize}). */
    public ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                     boolean vPrediction, PrecisionChoice precision) {
        this(name, location, shortHash, family, inpainting, vPrediction, precision, familySize(family, vPrediction));
    }

    /** Without a precision choice. */
    public ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                     boolean vPrediction) {
        this(name, location, shortHash, family, inpainting, vPrediction, null);
    }

    /**
     * The model's name for a file or folder {@code location}: a file's name without extension; a folder's name,
     * except that a folder called {@code diffusers} is named by the folder holding it ({@code sd15/diffusers} is
     * "sd15"), and a Hugging Face cache snapshot ({@code models--org--name/snapshots/<commit>}) by its repository.
     */
    public static String nameOf(Path location, boolean folder) {
        Path fileName = location.toAbsolutePath().normalize().getFileName();
        if (fileName == null) return location.toString();
        String name = fileName.toString();
        if (!folder) return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        Path parent = location.toAbsolutePath().normalize().getParent();
        if (parent == null || parent.getFileName() == null) return name;
        if (name.equalsIgnoreCase("diffusers")) return parent.getFileName().toString();
        Path repo = parent.getParent();
        if (parent.getFileName().toString().equals("snapshots") && repo != null && repo.getFileName() != null
                && repo.getFileName().toString().startsWith("models--")) {
            String r = repo.getFileName().toString();
            return r.substring(r.lastIndexOf("--") + 2);
        }
        return name;
    }

    /**
     * The side length a family was trained at: 1024 for SDXL, 768 for SD 2.x v-prediction models (stable-diffusion-2
     * / 2.1), 512 for SD 1.x, SD 2.x base (epsilon) and unknown families.
     */
    public static int familySize(String family, boolean vPrediction) {
        if ("SDXL".equalsIgnoreCase(family)) return 1024;
        return "SD2".equalsIgnoreCase(family) && vPrediction ? 768 : 512;
    }

    /** A1111's model title: {@code name [hash]}. */
    public String title() {
        return shortHash == null || shortHash.isEmpty() ? name : name + " [" + shortHash + "]";
    }
}
