package org.diffusej.bridge;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.engine.DiffusionException;

import java.io.IOException;
import java.util.Map;

/** The AUTOMATIC1111 {@code /sdapi/v1} subset: generation, progress, interrupt, models, samplers, options. */
final class SdApi {
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

    /** Stores options; {@code sd_model_checkpoint} switches the model once no generation runs. */
    private Routes.Reply setOptions(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        JsonElement checkpoint = body.get("sd_model_checkpoint");
        if (checkpoint != null && !checkpoint.isJsonNull()) {
            String name = checkpoint.getAsString();
            try {
                server.queue().whileIdle(() -> {
                    server.models().select(name);
                    return null;
                });
            } catch (ModelProvider.UnknownModelException e) {
                throw ApiException.notFound(e.getMessage());
            } catch (DiffusionException e) {
                throw new ApiException(500, "ModelLoadFailed", e.getMessage());
            } catch (Exception e) {
                throw new ApiException(500, e.getClass().getSimpleName(), "Switching the model failed: " + e);
            }
        }
        synchronized (this) {
            for (Map.Entry<String, JsonElement> e : body.entrySet())
                if (!e.getKey().equals("sd_model_checkpoint")) storedOptions.add(e.getKey(), e.getValue());
        }
        return Routes.Reply.ok(null);
    }
}
