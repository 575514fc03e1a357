package org.diffusej.bridge;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The AUTOMATIC1111 {@code /sdapi/v1} subset: generation, progress, interrupt, models, samplers, options. */
final class SdApi {
    private static final Logger LOG = Logger.getLogger(SdApi.class.getName());
    private static final int MAX_STORED_OPTIONS_CHARS = 256 * 1024;
    private final BridgeServer server;
    private final JsonObject storedOptions = new JsonObject();

    SdApi(BridgeServer server) {
        this.server = server;
    }

    void register(Routes routes) {
        routes.add("POST", "/sdapi/v1/txt2img", ex -> generate(ex, false))
              .add("POST", "/sdapi/v1/img2img", ex -> generate(ex, true))
              .add("GET", "/sdapi/v1/progress", ex -> Routes.Reply.ok(
                      A1111Response.progress(server.queue().current(), server.queue().waitingCount())))
              .add("POST", "/sdapi/v1/interrupt", ex -> {
                  server.queue().interruptCurrent();
                  return Routes.Reply.ok(new JsonObject());
              })
              .add("GET", "/sdapi/v1/samplers", ex -> Routes.Reply.ok(A1111Response.samplers()))
              .add("GET", "/sdapi/v1/schedulers", ex -> Routes.Reply.ok(A1111Response.schedulers()))
              .add("GET", "/sdapi/v1/sd-models", ex -> Routes.Reply.ok(A1111Response.sdModels(server.models().checkpoints())))
              .add("POST", "/sdapi/v1/refresh-checkpoints", ex -> Routes.Reply.ok(null))
              .add("GET", "/sdapi/v1/options", ex -> Routes.Reply.ok(options()))
              .add("POST", "/sdapi/v1/options", this::setOptions);
    }

    private synchronized JsonObject options() {
        return A1111Response.options(server.models().engine().model(), storedOptions);
    }

    /** Blocks until the job ends, like A1111; an interrupted job still answers 200 with what it has. */
    private Routes.Reply generate(HttpExchange ex, boolean img2img) throws ApiException, IOException, InterruptedException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        A1111Request parsed = A1111Request.parse(body, img2img, server.codec());
        Job job = server.queue().submit(parsed.kind(), parsed.request());
        JobEvent last;
        try {
            last = job.awaitDone();
        } catch (InterruptedException e) {
            server.queue().cancel(job);
            throw e;
        }
        if (last.type() == JobEvent.Type.ERROR) throw job.failure();
        JsonObject answer = A1111Response.generation(job, last, parsed.parameters());
        JsonElement send = body.get("send_images");
        if (send != null && send.isJsonPrimitive() && !send.getAsBoolean()) answer.add("images", new com.google.gson.JsonArray());
        return Routes.Reply.ok(answer);
    }

    /**
     * Stores options; {@code sd_model_checkpoint} switches the model once no generation runs, by a name, title or hash
     * that {@code /sdapi/v1/sd-models} lists (never a path). A failed switch keeps the previous model serving.
     */
    private Routes.Reply setOptions(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        String name = new A1111Request.Fields(body).string("sd_model_checkpoint", null);
        if (name != null) switchModel(name);
        synchronized (this) {
            JsonObject next = storedOptions.deepCopy();
            for (Map.Entry<String, JsonElement> e : body.entrySet())
                if (!e.getKey().equals("sd_model_checkpoint")) next.add(e.getKey(), e.getValue());
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
            throw ApiException.notFound(e.getMessage());
        } catch (Exception | Error e) { // NOPMD: a failed load (even a StackOverflowError) is answered, never fatal
            LOG.log(Level.WARNING, "switching the model to '" + name + "' failed", e);
            // The loader's message may quote file bytes or paths: the client gets a sentence, the log the details.
            throw new ApiException(500, "ModelLoadFailed", "Model '" + OriginPolicy.quote(name) + "' could not be loaded "
                    + "(the server's log says why); '" + server.models().engine().model().title() + "' stays loaded.");
        }
    }
}
