package org.diffusej;

import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.weights.WeightSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the reference fixtures are: system property {@code fixtures.dir}, else the copy in test resources. */
public final class Fixtures {
    private Fixtures() { }

    public static Path root() {
        String p = System.getProperty("fixtures.dir");
        Path root = p != null && !p.isBlank() ? Paths.get(p) : Paths.get("src/test/resources/fixtures");
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixtures not found at " + root.toAbsolutePath());
        return root;
    }

    public static Path variant(String name) { return root().resolve(name); }

    /** The LDM single-file checkpoint of a variant, e.g. {@code sd1-tiny/sd1-tiny.safetensors}. */
    public static Path singleFile(String variant) { return variant(variant).resolve(variant + ".safetensors"); }

    public static Path diffusersDir(String variant) { return variant(variant).resolve("diffusers"); }

    public static Path reference(String variant, String file) { return variant(variant).resolve("reference").resolve(file); }

    public static Path input(String file) { return root().resolve("inputs").resolve(file); }

    /**
     * The UNet config of a variant's single file: detected from shapes, plus what LDM files do not record (norm groups
     * from the tiny diffusers configs, heads from the fixtures README).
     */
    public static UNetConfig unetConfig(String variant, WeightSource w) throws Exception {
        return switch (variant) {
            case "sd1-tiny", "sd1-inpaint-tiny" -> UNetConfig.detect(w, 2).withHeads(2);
            case "sd2-tiny" -> UNetConfig.detect(w, 32).withHeadChannels(16);
            case "sd15-shape" -> UNetConfig.detect(w, 32).withHeads(4);
            case "sdxl-tiny", "sdxl-inpaint-tiny" -> UNetConfig.detect(w, 1).withHeadChannels(2);
            default -> throw new IllegalArgumentException(variant);
        };
    }
}
