package org.diffusej.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.models.CatalogEntry;
import org.diffusej.models.ModelResolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.diffusej.engine.SamplerNames;

/**
 * One command's work with the engine: resolve and load the model (with progress), run requests, write images
 * with their parameters and JSON sidecars, report on stdout. Closes the engine when done.
 */
final class GenerationSession implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final CliContext ctx;
    private final OutputOptions output;
    private final ProgressBar bar;
    private final JsonArray written = new JsonArray();
    private DiffusionEngine engine;
    private boolean cancelled;

    GenerationSession(CliContext ctx, OutputOptions output) {
        this.ctx = ctx;
        this.output = output;
        this.bar = new ProgressBar(ctx.err(), !output.quiet, ctx.tty());
    }

    ProgressBar progress() { return bar; }

    /** A seed for {@code -1}: like A1111, a random non-negative 32-bit value. */
    static long resolveSeed(long seed) {
        return seed >= 0 ? seed : ThreadLocalRandom.current().nextLong(0, 4_294_967_295L);
    }

    /** Resolves {@code --model} (downloading a catalog model if needed) and loads it with the LoRA options' library. */
    DiffusionEngine open(ModelLoadOptions m, LoraOptions loras, Mode mode) throws DiffusionException {
        ModelResolver resolver = ctx.models().get();
        Path path = resolver.resolve(m.model, mode, bar::download, ctx.token());
        String name = m.model == null || m.model.isBlank() ? resolver.settings().defaultModel(mode, resolver.catalog())
                : m.model;
        String prediction = resolver.catalog().find(name).map(CatalogEntry::prediction).orElse(null);
        bar.message("Loading " + path + " ...");
        engine = ctx.engines().load(path, m.settings(prediction, loras.library(System.getenv(), resolver.cache().root())),
                bar::engine);
        ModelInfo info = engine.model();
        PipelineEngineLoader.tellPrecisionFallback(ctx.err(), info);
        bar.message("Model: " + info.title() + (info.inpainting() ? " (inpainting)" : ""));
        return engine;
    }

    /** Runs one request with the progress bar and the Ctrl-C token. */
    Result generate(Request request) throws DiffusionException {
        Result r = engine.generate(request,
                output.preview == null ? bar::engine : new PreviewWriter(output.preview, bar::engine), ctx.token());
        bar.finishLine();
        if (r.cancelled()) cancelled = true;
        if (!r.message().isEmpty()) bar.message(r.message());
        return r;
    }

    /**
     * Writes a result's images to {@code files} (one per image, in order; fewer images when cancelled) in the
     * given bit depth, each with its infotext and a JSON sidecar.
     */
    List<Path> write(Result r, List<Path> files, int bitDepth, boolean grey, Path source) throws DiffusionException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < r.images().size() && i < files.size(); i++) {
            Path file = files.get(i);
            String infotext = i < r.infotexts().size() ? r.infotexts().get(i) : null;
            JsonObject record = record(r, i, file, infotext, bitDepth, source);
            try {
                ImageFiles.write(file, r.images().get(i), bitDepth, grey, infotext, output.force);
                writeSidecar(OutputPlan.sidecar(file), record);
            } catch (IOException e) {
                throw new InputException("Cannot write " + file + ": " + e.getMessage() + ".", e);
            }
            written.add(record);
            out.add(file);
            if (!output.json) ctx.out().println(file);
        }
        return out;
    }

    /** True once any request was cancelled. */
    boolean cancelled() { return cancelled || ctx.token().isCancelled(); }

    /** Prints the JSON report (with {@code --json}) and returns the exit code. */
    int finish(String message) {
        if (output.json) {
            JsonObject report = new JsonObject();
            report.add("images", written);
            report.addProperty("cancelled", cancelled());
            report.addProperty("message", message == null ? "" : message);
            ctx.out().println(GSON.toJson(report));
        }
        if (cancelled()) {
            bar.message("Cancelled: " + written.size() + " image(s) written.");
            return ExitCode.CANCELLED;
        }
        if (message != null && !message.isEmpty()) bar.message(message);
        return ExitCode.OK;
    }

    private void writeSidecar(Path file, JsonObject record) throws IOException {
        Path tmp = ImageFiles.temporarySibling(file);
        Files.writeString(tmp, GSON.toJson(record) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonObject record(Result r, int i, Path file, String infotext, int bitDepth, Path source) {
        Request q = r.request();
        JsonObject o = new JsonObject();
        o.addProperty("file", file.toAbsolutePath().toString());
        if (source != null) o.addProperty("source", source.toAbsolutePath().toString());
        o.addProperty("mode", q.mode().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("prompt", q.prompt());
        o.addProperty("negative_prompt", q.negativePrompt());
        o.addProperty("seed", i < r.seeds().size() ? r.seeds().get(i) : q.seed() + i);
        o.addProperty("steps", q.steps());
        o.addProperty("sampler", q.sampler());
        o.addProperty("scheduler", q.scheduler() == null ? SamplerNames.AUTOMATIC : q.scheduler());
        o.addProperty("cfg_scale", q.cfgScale());
        o.addProperty("width", r.images().get(i).width());
        o.addProperty("height", r.images().get(i).height());
        if (q.mode() != Mode.TXT2IMG) o.addProperty("denoising_strength", q.strength());
        if (q.mode() == Mode.INPAINT) {
            o.addProperty("mask_blur", q.maskBlur());
            o.addProperty("inpaint_full_res", q.onlyMasked());
            o.addProperty("inpaint_full_res_padding", q.onlyMaskedPadding());
            o.addProperty("inpainting_fill", q.maskedContent().a1111Index());
            o.addProperty("inpainting_mask_invert", q.invertMask());
        }
        o.addProperty("clip_skip", q.clipSkip());
        if (r.model() != null) {
            o.addProperty("model", r.model().name());
            o.addProperty("model_hash", r.model().shortHash());
            o.addProperty("model_location", r.model().location());
        }
        o.addProperty("bit_depth", bitDepth);
        o.addProperty("parameters", infotext);
        JsonObject t = new JsonObject();
        for (Map.Entry<String, Double> e : r.timings().entrySet()) t.addProperty(e.getKey(), e.getValue());
        o.add("timings", t);
        return o;
    }

    @Override
    public void close() {
        if (engine != null) engine.close();
        engine = null;
    }
}
