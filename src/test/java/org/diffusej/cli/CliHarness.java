package org.diffusej.cli;

import org.diffusej.engine.ModelInfo;

import org.diffusej.engine.CancellationToken;
import org.diffusej.models.Downloader;
import org.diffusej.models.ModelCatalog;
import org.diffusej.models.ModelResolver;
import org.diffusej.models.ModelSettings;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Runs {@code diffusej} command lines in-process with captured output, a temporary cache and a chosen loader. */
final class CliHarness {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CancellationToken token = new CancellationToken();
    final List<Path> loaded = new CopyOnWriteArrayList<>();
    final ModelSettings settings;
    final EngineLoader loader;

    /** A harness whose model loads give {@code engine}; the cache is {@code cache}, offline, endpoint unreachable. */
    CliHarness(Path cache, FakeEngine engine) {
        this(new ModelSettings(cache, "http://127.0.0.1:9", null, true, null, null), recording(engine));
    }

    CliHarness(ModelSettings settings, EngineLoader loader) {
        this.settings = settings;
        this.loader = loader;
    }

    /** The CLI tests' stand-in: {@link Picture#RAMP} pixels, an SD1 inpainting model "arith" with hash abcdef0123. */
    static FakeEngine fakeEngine() {
        return new FakeEngine(Picture.RAMP, new ModelInfo("arith", "memory", "abcdef0123", "SD1", true, false));
    }

    private static EngineLoader recording(FakeEngine engine) {
        return (p, s, l) -> engine;
    }

    int run(String... args) {
        out.reset();
        err.reset();
        EngineLoader recordingLoader = (p, s, l) -> {
            loaded.add(p);
            return loader.load(p, s, l);
        };
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), recordingLoader,
                () -> new ModelResolver(ModelCatalog.bundled(), settings, Downloader.forSettings(settings)), token, false);
        return DiffuseJ.execute(ctx, args);
    }

    String out() { return out.toString(StandardCharsets.UTF_8); }
    String err() { return err.toString(StandardCharsets.UTF_8); }

    /**
     * The URL a {@code serve} running on another thread prints ("listening on http://…"), polled every 50 ms for up
     * to {@code seconds}; null if it did not come.
     */
    String awaitServerUrl(int seconds) throws InterruptedException {
        java.util.regex.Pattern url = java.util.regex.Pattern.compile("listening on (http://\\S+)");
        for (int i = 0; i < seconds * 20; i++) {
            java.util.regex.Matcher m = url.matcher(out());
            if (m.find()) return m.group(1);
            Thread.sleep(50);
        }
        return null;
    }
}
