package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.engine.infotext.Infotext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * The AUTOMATIC1111 {@code /sdapi/v1} endpoints besides generation that apply to this server, answering A1111's
 * shapes ({@code modules/api/models.py}): the LoRAs ({@link LoraListing}) and VAEs ({@link VaeFolders}), empty lists
 * for what it has none of (embeddings,
 * hypernetworks, face restorers, styles, scripts), {@code memory}, {@code cmd-flags}, {@code png-info}, the
 * checkpoint refresh/unload/reload actions, and {@code /openapi.json} generated from the route table.
 */
final class SdApiInfo {
    private final BridgeServer server;
    private final Routes routes;

    SdApiInfo(BridgeServer server, Routes routes) {
        this.server = server;
        this.routes = routes;
    }

    void register() {
        for (String list : new String[] {"hypernetworks", "face-restorers", "realesrgan-models",
                "prompt-styles", "latent-upscale-modes", "script-info", "extensions"})
            routes.add("GET", "/sdapi/v1/" + list, "Always [] here: this server has none", ex -> Routes.Reply.ok(new JsonArray()));
        routes.add("GET", "/sdapi/v1/embeddings", "Textual-inversion embeddings: none here", ex -> Routes.Reply.ok(embeddings()))
              .add("GET", "/sdapi/v1/scripts", "Scripts per tab: none here", ex -> Routes.Reply.ok(scripts()))
              .add("GET", "/sdapi/v1/cmd-flags", "How the server was started, in A1111's flag names",
                      ex -> Routes.Reply.ok(server.flags()))
              .add("GET", "/sdapi/v1/memory", "RAM (process and system) and CUDA memory", ex -> Routes.Reply.ok(memory()))
              .add("POST", "/sdapi/v1/png-info", "The parameters text of a PNG, parsed", this::pngInfo)
              .add("POST", "/sdapi/v1/refresh-checkpoints", "Re-reads the models folder (listing is always live)",
                      ex -> Routes.Reply.ok(null))
              .add("GET", "/sdapi/v1/loras", "The LoRAs prompt tags <lora:name:mult> can name",
                      ex -> Routes.Reply.ok(LoraListing.of(server.loras())))
              .add("POST", "/sdapi/v1/refresh-loras", "Re-scans the LoRA folder (listing is always live)",
                      ex -> Routes.Reply.ok(null))
              .add("GET", "/sdapi/v1/sd-vae", "The VAE files sd_vae can name (model_name, filename: relative names)",
                      ex -> Routes.Reply.ok(server.vaes().json()))
              .add("POST", "/sdapi/v1/refresh-vae", "Re-scans the VAE folders (listing is always live)",
                      ex -> Routes.Reply.ok(null))
              .add("POST", "/sdapi/v1/unload-checkpoint", "Frees the loaded model (reloaded on the next job)",
                      ex -> whileIdle(() -> server.models().unload()))
              .add("POST", "/sdapi/v1/reload-checkpoint", "Loads the unloaded model again", ex -> whileIdle(() -> {
                  server.models().reload();
                  return null;
              }))
              .add("GET", "/openapi.json", "This description, generated from the route table",
                      ex -> Routes.Reply.ok(OpenApi.of(routes.entries(), A1111Response.VERSION)));
    }

    private Routes.Reply whileIdle(java.util.concurrent.Callable<?> action) throws ApiException {
        try {
            server.queue().whileIdle(action);
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            throw new ApiException(500, "ModelLoadFailed", "The model could not be loaded (the server's log says why).");
        }
        return Routes.Reply.ok(new JsonObject());
    }

    private static JsonObject embeddings() {
        JsonObject o = new JsonObject();
        o.add("loaded", new JsonObject());
        o.add("skipped", new JsonObject());
        return o;
    }

    private static JsonObject scripts() {
        JsonObject o = new JsonObject();
        o.add("txt2img", new JsonArray());
        o.add("img2img", new JsonArray());
        return o;
    }

    /**
     * A1111's {@code /memory}: {@code ram} as A1111 computes it ({@code used} = this process's resident memory,
     * {@code total} = the machine's, {@code free} = total − used), {@code cuda.system} for GPU 0 when there is one,
     * else {@code {"error": "unavailable"}}.
     */
    static JsonObject memory() {
        JsonObject ram = new JsonObject();
        long total = totalRam();
        long used = org.diffusej.bench.ProcessMemory.residentBytes();
        if (used < 0) used = Runtime.getRuntime().totalMemory();
        if (total > 0) {
            ram.addProperty("free", total - used);
            ram.addProperty("used", used);
            ram.addProperty("total", total);
        } else {
            ram.addProperty("error", "the total RAM is not known on this system");
        }
        JsonObject out = new JsonObject();
        out.add("ram", ram);
        out.add("cuda", cuda());
        return out;
    }

    private static long totalRam() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getTotalMemorySize();
        return -1;
    }

    private static JsonObject cuda() {
        JsonObject cuda = new JsonObject();
        try {
            if (!ai.djl.util.cuda.CudaUtils.hasCuda() || ai.djl.util.cuda.CudaUtils.getGpuCount() < 1) {
                cuda.addProperty("error", "unavailable");
                return cuda;
            }
            MemoryUsage m = ai.djl.util.cuda.CudaUtils.getGpuMemory(ai.djl.Device.gpu(0));
            JsonObject system = new JsonObject();
            system.addProperty("free", m.getMax() - m.getCommitted());
            system.addProperty("used", m.getCommitted());
            system.addProperty("total", m.getMax());
            cuda.add("system", system);
        } catch (RuntimeException | LinkageError e) {
            cuda.addProperty("error", "unavailable");
        }
        return cuda;
    }

    /**
     * A1111's {@code /png-info}: {@code info} is the {@code parameters} text (ours or A1111's), {@code items} the
     * image's other text chunks, {@code parameters} the text parsed as A1111 parses it.
     */
    private Routes.Reply pngInfo(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        String image = new A1111Request.Fields(body).string("image", "");
        if (image.isBlank()) throw ApiException.unprocessable("png-info needs image: a base64 PNG.");
        server.codec().decode(image, "image"); // size and format checks before reading chunks
        String b64 = image.trim();
        if (b64.startsWith("data:")) b64 = b64.substring(b64.indexOf(',') + 1);
        Map<String, String> chunks;
        try {
            chunks = ImageCodec.readTextChunks(Base64.getMimeDecoder().decode(b64));
        } catch (IOException | RuntimeException e) {
            chunks = Map.of(); // not a PNG: A1111 answers an empty info for images without text
        }
        String info = chunks.getOrDefault("parameters", "");
        JsonObject items = new JsonObject();
        chunks.forEach((k, v) -> { if (!k.equals("parameters")) items.addProperty(k, v); });
        JsonObject out = new JsonObject();
        out.addProperty("info", info);
        out.add("items", items);
        out.add("parameters", info.isEmpty() ? new JsonObject() : HttpIO.GSON.toJsonTree(Infotext.parse(info)));
        return Routes.Reply.ok(out);
    }

    /** {@code /openapi.json} built from the route table, so it lists exactly what the server answers. */
    static final class OpenApi {
        private OpenApi() { }

        static JsonObject of(java.util.List<Routes.Entry> entries, String version) {
            JsonObject paths = new JsonObject();
            for (Routes.Entry e : entries) {
                String path = template(e.path());
                JsonObject item = paths.has(path) ? paths.getAsJsonObject(path) : new JsonObject();
                JsonObject op = new JsonObject();
                if (e.summary() != null) op.addProperty("summary", e.summary());
                op.addProperty("operationId", e.method().toLowerCase(Locale.ROOT) + path.replaceAll("[^A-Za-z0-9]+", "_"));
                if (!path.equals(e.path())) op.add("parameters", pathParameter());
                JsonObject ok = new JsonObject();
                ok.addProperty("description", "Successful Response");
                JsonObject responses = new JsonObject();
                responses.add("200", ok);
                op.add("responses", responses);
                item.add(e.method().toLowerCase(Locale.ROOT), op);
                paths.add(path, item);
            }
            JsonObject info = new JsonObject();
            info.addProperty("title", "DiffuseJ bridge (AUTOMATIC1111 API subset)");
            info.addProperty("version", version);
            JsonObject out = new JsonObject();
            out.addProperty("openapi", "3.0.2");
            out.add("info", info);
            out.add("paths", paths);
            return out;
        }

        /** A prefix route ({@code /diffusej/v1/jobs/}) as {@code /diffusej/v1/jobs/{rest}}. */
        static String template(String path) {
            return path.endsWith("/") ? path + "{rest}" : path;
        }

        private static JsonElement pathParameter() {
            JsonObject p = new JsonObject();
            p.addProperty("name", "rest");
            p.addProperty("in", "path");
            p.addProperty("required", true);
            JsonObject schema = new JsonObject();
            schema.addProperty("type", "string");
            p.add("schema", schema);
            JsonArray a = new JsonArray();
            a.add(p);
            return a;
        }
    }
}
