package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.engine.RgbImage;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The AUTOMATIC1111 {@code /sdapi/v1} generation side: txt2img, img2img, progress, interrupt, skip, models, samplers,
 * options. The other A1111 endpoints that apply to this server are in {@link SdApiInfo}.
 */
final class SdApi {
    private static final Logger LOG = Logger.getLogger(SdApi.class.getName());
    private static final int MAX_STORED_OPTIONS_CHARS = 256 * 1024;
    /** Response header naming the fields {@code info.warnings} reports (absent when there is nothing to report). */
    static final String WARNINGS_HEADER = "X-DiffuseJ-Warnings";
    private final BridgeServer server;
    private final JsonObject storedOptions = new JsonObject();
    private final VaeSwitch vae;

    SdApi(BridgeServer server) {
        this.server = server;
        this.vae = new VaeSwitch(server);
    }

    void register(Routes routes) {
        routes.add("POST", "/sdapi/v1/txt2img", "Text to image (A1111 fields; info.warnings lists what is not done)",
                      ex -> generate(ex, false))
              .add("POST", "/sdapi/v1/img2img", "Image to image and inpainting", ex -> generate(ex, true))
              .add("GET", "/sdapi/v1/progress", "Progress of the running job, with a preview as current_image",
                      ex -> Routes.Reply.ok(A1111Response.progress(server.queue().current(), server.queue().waitingCount(),
                              !"true".equalsIgnoreCase(HttpIO.query(ex).get("skip_current_image")))))
              .add("POST", "/sdapi/v1/interrupt", "Stops the running job; its images come back as far as they got", ex -> {
                  server.queue().interruptCurrent();
                  return Routes.Reply.ok(new JsonObject());
              })
              .add("POST", "/sdapi/v1/skip", "Ends the running batch early (kept as reached); later batches run", ex -> {
                  server.queue().skipCurrent();
                  return Routes.Reply.ok(new JsonObject());
              })
              .add("GET", "/sdapi/v1/samplers", "Samplers", ex -> Routes.Reply.ok(A1111Response.samplers()))
              .add("GET", "/sdapi/v1/schedulers", "Sigma schedules", ex -> Routes.Reply.ok(A1111Response.schedulers()))
              .add("GET", "/sdapi/v1/sd-models", "Checkpoints this server can run",
                      ex -> Routes.Reply.ok(A1111Response.sdModels(server.models().checkpoints())))
              .add("GET", "/sdapi/v1/options", "Options (sd_model_checkpoint, sd_vae, CLIP_stop_at_last_layers, samples_format apply)",
                      ex -> Routes.Reply.ok(options()))
              .add("POST", "/sdapi/v1/options", "Sets options; sd_model_checkpoint switches the model, sd_vae the VAE", this::setOptions);
    }

    private synchronized JsonObject options() {
        JsonObject o = A1111Response.options(server.models().selected(), storedOptions);
        o.addProperty("sd_vae", vae.current());
        A1111Response.addPrecision(o, server.models().loadedModel());
        return o;
    }

    private synchronized JsonObject storedOptions() {
        return storedOptions.deepCopy();
    }

    /** Blocks until the job ends, like A1111; an interrupted job still answers 200 with what it has. */
    private Routes.Reply generate(HttpExchange ex, boolean img2img) throws ApiException, IOException, InterruptedException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        A1111Request parsed = A1111Request.parse(body, img2img, server.codec(), storedOptions(), server.defaultSize());
        Job.Setup setup = VaeSwitch.both(checkpointSwitch(parsed), vae.forJob(parsed.vae(), parsed.restoreAfterwards()));
        Job job = server.queue().submit(parsed.kind(), parsed.request(), setup);
        JobEvent last;
        try {
            last = job.awaitDone();
        } catch (InterruptedException e) {
            server.queue().cancel(job);
            throw e;
        }
        if (last.type() == JobEvent.Type.ERROR) throw job.failure();
        if (!parsed.keptOptions().isEmpty()) keep(parsed.keptOptions());
        JsonObject answer = A1111Response.generation(job, last, parsed.parameters(), parsed.warnings());
        if (parsed.output().jpeg() && job.result() != null) answer.add("images", jpegs(job.result().images(), parsed.output()));
        if (!parsed.warnings().isEmpty()) ex.getResponseHeaders().set(WARNINGS_HEADER, warnedFields(parsed.warnings()));
        JsonElement send = body.get("send_images");
        if (send != null && send.isJsonPrimitive() && !send.getAsBoolean()) answer.add("images", new JsonArray());
        return Routes.Reply.ok(answer);
    }

    /** The fields {@code info.warnings} names, comma-separated, printable ASCII only (header-safe). */
    static String warnedFields(List<String> warnings) {
        StringBuilder b = new StringBuilder();
        for (String w : warnings) {
            if (b.length() > 0) b.append(", ");
            int colon = w.indexOf(':');
            b.append((colon < 0 ? w : w.substring(0, colon)).replaceAll("[^\\x21-\\x7e]", "?"));
        }
        return b.length() > 1000 ? b.substring(0, 1000) + "..." : b.toString();
    }

    private static JsonArray jpegs(List<RgbImage> images, A1111Request.Output output) {
        JsonArray out = new JsonArray();
        for (RgbImage i : images) out.add(ImageCodec.jpegBase64(i, output.quality()));
        return out;
    }

    /**
     * {@code override_settings.sd_model_checkpoint}: a listed name (404 otherwise, before anything runs); the switch
     * happens on the worker right before the job, and the previous model comes back after it unless the client asked
     * not to restore.
     */
    private Job.Setup checkpointSwitch(A1111Request parsed) throws ApiException {
        String name = parsed.checkpoint();
        if (name == null) return Job.Setup.NONE;
        boolean listed = server.models().checkpoints().stream().anyMatch(c -> c.matches(name));
        if (!listed)
            throw ApiException.notFound("Model '" + OriginPolicy.quote(name) + "' in override_settings is not one of "
                    + "this server's models; /sdapi/v1/sd-models lists them.");
        return () -> {
            ModelProvider models = server.models();
            String before = models.selected().title();
            if (models.selected().matches(name)) return () -> { };
            models.select(name);
            return parsed.restoreAfterwards() ? () -> models.select(before) : () -> { };
        };
    }

    private synchronized void keep(JsonObject options) {
        for (Map.Entry<String, JsonElement> e : options.entrySet()) storedOptions.add(e.getKey(), e.getValue());
    }

    /**
     * Stores options; {@code sd_model_checkpoint} switches the model once no generation runs, by a name, title or hash
     * that {@code /sdapi/v1/sd-models} lists (never a path). A failed switch keeps the previous model serving.
     */
    private Routes.Reply setOptions(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        String name = new A1111Request.Fields(body).string("sd_model_checkpoint", null);
        String vaeName = new A1111Request.Fields(body).string("sd_vae", null);
        A1111Request.checkOptions(body);
        if (vaeName != null) vae.choice(vaeName, "sd_vae"); // a bad name is refused before the model switches
        if (name != null) switchModel(name);
        if (vaeName != null) vae.switchTo(vaeName);
        synchronized (this) {
            JsonObject next = storedOptions.deepCopy();
            for (Map.Entry<String, JsonElement> e : body.entrySet())
                if (!A1111Request.MODEL_OPTIONS.contains(e.getKey())) next.add(e.getKey(), e.getValue());
            if (HttpIO.GSON.toJson(next).length() > MAX_STORED_OPTIONS_CHARS)
                throw new ApiException(413, "PayloadTooLarge", "The stored options would exceed "
                        + MAX_STORED_OPTIONS_CHARS / 1024 + " KiB; this server keeps options only for clients to read back.");
            for (Map.Entry<String, JsonElement> e : next.entrySet()) storedOptions.add(e.getKey(), e.getValue());
        }
        return Routes.Reply.ok(null);
    }

    private void switchModel(String name) throws ApiException {
        try {
            server.queue().whileIdle(() -> {
                server.models().select(name);
                return null;
            });
        } catch (ModelProvider.UnknownModelException e) {
            throw ErrorReplies.of(e);
        } catch (Exception | Error e) { // NOPMD: a failed load (even a StackOverflowError) is answered, never fatal
            LOG.log(Level.WARNING, "switching the model to '" + name + "' failed", e);
            // The loader's message may quote file bytes or paths: the client gets a sentence, the log the details.
            throw new ApiException(500, "ModelLoadFailed", "Model '" + OriginPolicy.quote(name) + "' could not be loaded "
                    + "(the server's log says why); '" + server.models().selected().title() + "' stays loaded.");
        }
    }
}
