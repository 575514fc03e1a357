package org.diffusej.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files in {@code examples/}: images the project draws itself, and the folder augmentation script. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    @TempDir Path dir;

    @Test
    void committedImagesAreTheOnesExampleImagesDraws() throws Exception {
        ExampleImages.write(dir);
        List<Path> drawn;
        try (Stream<Path> s = Files.walk(dir)) {
            drawn = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(8, drawn.size());
        for (Path p : drawn) {
            Path committed = EXAMPLES.resolve(dir.relativize(p));
            ImageFile want = ImageFiles.read(p), got = ImageFiles.read(committed);
            assertEquals(want.rgb(), got.rgb(), committed.toString());
            assertEquals(want.bitDepth(), got.bitDepth(), committed.toString());
        }
        assertEquals(16, ImageFiles.read(EXAMPLES.resolve("cells/cells-1.tif")).bitDepth());
    }

    @Test
    void augmentScriptMakesVariantsInTheSourceBitDepth() throws Exception {
        Path launcher = dir.resolve("diffusej-stand-in");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' -Djava.awt.headless=true -cp '"
                + System.getProperty("java.class.path") + "' " + StandInEngineMain.class.getName() + " \"$@\"\n");
        assertTrue(launcher.toFile().setExecutable(true));
        Path model = Files.writeString(dir.resolve("m.safetensors"), "stand-in");
        Path out = dir.resolve("augmented");
        ProcessBuilder pb = new ProcessBuilder("bash", EXAMPLES.resolve("augment-folder.sh").toString(),
                EXAMPLES.resolve("cells").toString(), out.toString(), "--model", model.toString(), "--quiet")
                .redirectErrorStream(true);
        pb.environment().put("DIFFUSEJ", launcher.toString());
        pb.environment().put("VARIANTS", "2");
        pb.environment().put("SEED", "40");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        for (String name : new String[] {"cells-1-40.tif", "cells-1-41.tif", "cells-2-40.tif", "cells-2-41.tif"}) {
            ImageFile f = ImageFiles.read(out.resolve(name));
            assertEquals(16, f.bitDepth(), name);
            assertTrue(f.grey(), name);
            assertTrue(f.parameters().contains("Seed: " + name.substring(8, 10)), f.parameters());
            assertTrue(Files.exists(OutputPlan.sidecar(out.resolve(name))));
        }
        assertEquals(2, new ProcessBuilder("bash", EXAMPLES.resolve("augment-folder.sh").toString()).start().waitFor(),
                "usage error without arguments");
    }
}
