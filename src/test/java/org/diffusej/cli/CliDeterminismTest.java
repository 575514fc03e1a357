package org.diffusej.cli;

import org.diffusej.Fixtures;
import org.diffusej.engine.RgbImage;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default path is deterministic: {@code diffusej txt2img} with the same seed and no {@code --device} or
 * {@code --precision} (so {@code auto}: whatever this machine's CPU or GPU gets) gives byte-identical pixels, run
 * twice as separate processes (what a user does) and twice in one process (batch of two, an ancestral sampler that
 * draws noise every step). Tolerance 0: pixels as written to the PNG files.
 */
class CliDeterminismTest {
    @TempDir Path dir;

    private static String sd1() { return Fixtures.diffusersDir("sd1-tiny").toAbsolutePath().toString(); }

    @Test
    void sameSeedTwiceInSeparateProcessesGivesIdenticalPixels() throws Exception {
        List<RgbImage> images = new ArrayList<>();
        for (String name : new String[] {"first.png", "second.png"}) {
            Path out = dir.resolve(name);
            runProcess("txt2img", "-m", sd1(), "-p", "a photo of a cat", "--seed", "3", "--steps", "3",
                    "-W", "64", "-H", "64", "-o", out.toString());
            images.add(ImageFiles.read(out).rgb());
        }
        assertArrayEquals(images.get(0).planes(), images.get(1).planes(), 0f, "same seed, same default precision");
    }

    @Test
    void batchWithAnAncestralSamplerIsIdenticalRunAfterRunInOneProcess() throws Exception {
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null,
                null), PipelineEngineLoader::load);
        List<List<RgbImage>> runs = new ArrayList<>();
        for (String run : new String[] {"a", "b"}) {
            Path out = dir.resolve(run);
            assertEquals(ExitCode.OK, cli.run("txt2img", "-m", sd1(), "-p", "a photo of a cat", "--seed", "11",
                    "--batch", "2", "--sampler", "Euler a", "--steps", "3", "-W", "64", "-H", "64",
                    "-o", out.toString()), cli.err());
            runs.add(pngs(out));
        }
        assertEquals(2, runs.get(0).size(), "two images per run");
        for (int k = 0; k < 2; k++)
            assertArrayEquals(runs.get(0).get(k).planes(), runs.get(1).get(k).planes(), 0f, "batch item " + k);
        assertNotEquals(runs.get(0).get(0), runs.get(0).get(1), "batch items have their own seeds");
    }

    /** Runs {@code diffusej} in a new JVM with this test's classpath, offline, with a private model cache. */
    private void runProcess(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), DiffuseJ.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process.log").toFile());
        pb.environment().put("DIFFUSEJ_HOME", dir.resolve("cache").toString());
        pb.environment().put("DIFFUSEJ_OFFLINE", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "diffusej finished within 300 s");
        String log = Files.readString(dir.resolve("process.log"), StandardCharsets.UTF_8);
        assertEquals(ExitCode.OK, p.exitValue(), log);
    }

    private static List<RgbImage> pngs(Path folder) throws Exception {
        List<RgbImage> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) out.add(ImageFiles.read(f).rgb());
        }
        return out;
    }
}
