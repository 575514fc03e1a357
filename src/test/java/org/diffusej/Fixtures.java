package org.diffusej;

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
}
