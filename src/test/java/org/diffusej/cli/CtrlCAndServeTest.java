package org.diffusej.cli;

import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real SIGINT on a running {@code diffusej} process, and {@code serve} answering HTTP until cancelled. */
class CtrlCAndServeTest {
    @TempDir Path dir;

    @Test
    void ctrlCStopsCleanlyKeepingFinishedImages() throws Exception {
        Path model = Files.writeString(dir.resolve("m.safetensors"), "stand-in");
        Path out = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                "-Dstandin.stepDelayMillis=250", StandInEngineMain.class.getName(), "txt2img", "-m", model.toString(), "--batch", "4", "--steps", "4",
                "-W", "16", "-H", "16", "--seed", "10", "-o", out.toString())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        StringBuilder err = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                err.append(line).append('\n');
                if (line.startsWith("denoise") && line.contains(" 5/16")) { // image 2 under way
                    new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCode.CANCELLED, p.exitValue(), err.toString());
        long written;
        try (Stream<Path> files = Files.list(out)) {
            written = files.filter(f -> f.toString().endsWith(".png")).count();
        }
        assertTrue(written >= 1 && written < 4, written + " images; stderr:\n" + err);
        assertTrue(Files.exists(out.resolve("txt2img-10.png")));
        assertTrue(err.toString().contains("Cancelled: " + written + " image(s) written."), err.toString());
        assertFalse(err.toString().contains("Exception"), err.toString());
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no half-written files");
        }
    }

    @Test
    void serveAnswersUntilCancelled() throws Exception {
        FakeEngine engine = CliHarness.fakeEngine();
        CliHarness cli = new CliHarness(dir.resolve("cache"), engine);
        Path model = Files.writeString(dir.resolve("m.safetensors"), "stand-in");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> cli.run("serve", "-m", model.toString(), "--port", "0"));
        String base = cli.awaitServerUrl(15);
        assertTrue(base != null, "server started; stderr: " + cli.err());
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/sdapi/v1/sd-models").toURL().openConnection();
        assertEquals(200, c.getResponseCode());
        String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("arith"), body);
        cli.token.cancel();
        assertEquals(ExitCode.OK, code.get(20, TimeUnit.SECONDS), cli.err());
        assertTrue(engine.isClosed(), "the engine loaded for the server is closed when it stops");
        assertEquals(ExitCode.USAGE, cli.run("serve", "-m", model.toString(), "--host", "0.0.0.0", "--port", "0"));
        assertTrue(cli.err().contains("--listen"), cli.err());
    }
}
