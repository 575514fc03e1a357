package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.diagnostics.ReportJson;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * DiffuseJ's own job API, used by the Krita plugin: enqueue returns at once, events are long-polled in the shared
 * vocabulary ({@code queued, progress, finished, interrupted, error}), a job can be cancelled whether waiting or running.
 * <pre>
 * GET  /diffusej/v1/health
 * GET  /diffusej/v1/doctor                        the system check as JSON (as {@code diffusej doctor --json})
 * POST /diffusej/v1/jobs                          {"mode": "txt2img|img2img|inpaint", A1111 fields...} → 202 {"job_id"}
 * GET  /diffusej/v1/jobs/{id}/events?after=N&amp;wait=S  → {"job_id", "events": [...]}
 * POST /diffusej/v1/jobs/{id}/cancel
 * </pre>
 */
final class NativeApi {
    private static final String JOBS = "/diffusej/v1/jobs/";
    private static final long MAX_WAIT_SECONDS = 30;
    private final BridgeServer server;

    NativeApi(BridgeServer server) {
        this.server = server;
    }

    void register(Routes routes) {
        routes.add("GET", "/diffusej/v1/health", ex -> Routes.Reply.ok(health()))
              .add("GET", "/diffusej/v1/doctor", ex -> Routes.Reply.ok(ReportJson.tree(server.systemCheck().run())))
              .add("POST", "/diffusej/v1/jobs", this::enqueue)
              .add("GET", JOBS, this::events)
              .add("POST", JOBS, this::cancel);
    }

    private JsonObject health() {
        JsonObject o = new JsonObject();
        o.addProperty("status", "ok");
        o.addProperty("version", A1111Response.VERSION);
        o.addProperty("model", server.models().engine().model().title());
        o.addProperty("default_size", server.models().engine().model().defaultSize());
        A1111Response.addPrecision(o, server.models().loadedModel());
        o.addProperty("busy", server.queue().current() != null);
        o.addProperty("max_image_side", server.codec().maxSide());
        return o;
    }

    private Routes.Reply enqueue(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        String mode = body.has("mode") && body.get("mode").isJsonPrimitive() ? body.get("mode").getAsString()
                : body.has("init_images") ? "img2img" : "txt2img";
        if (!List.of("txt2img", "img2img", "inpaint").contains(mode))
            throw ApiException.unprocessable("mode must be txt2img, img2img or inpaint, got '" + mode + "'.");
        A1111Request parsed = A1111Request.parse(body, !mode.equals("txt2img"), server.codec(), new JsonObject(),
                server.defaultSize());
        if (mode.equals("inpaint") && !parsed.kind().equals("inpaint"))
            throw ApiException.unprocessable("inpaint needs a mask (base64 image, white = repaint).");
        Job job = server.queue().submit(parsed.kind(), parsed.request());
        JsonObject o = new JsonObject();
        o.addProperty("job_id", job.id());
        o.add("event", toJson(job.event(0)));
        return new Routes.Reply(202, o);
    }

    /** {@code /jobs/{id}/events} (GET) or {@code /jobs/{id}} (GET, latest event only). */
    private Routes.Reply events(HttpExchange ex) throws ApiException, InterruptedException {
        String[] parts = ex.getRequestURI().getPath().substring(JOBS.length()).split("/");
        Job job = job(parts[0]);
        if (parts.length == 1) return Routes.Reply.ok(toJson(job.lastEvent()));
        if (parts.length != 2 || !parts[1].equals("events")) throw ApiException.notFound("No endpoint " + ex.getRequestURI().getPath());
        Map<String, String> q = HttpIO.query(ex);
        int after;
        long waitSeconds;
        try {
            after = Integer.parseInt(q.getOrDefault("after", "-1"));
            waitSeconds = Math.max(0, Math.min(MAX_WAIT_SECONDS, Long.parseLong(q.getOrDefault("wait", "0"))));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("after and wait must be whole numbers.");
        }
        if (after < -1) throw ApiException.badRequest("after must be -1 or more (the last event seq seen), got " + after + ".");
        List<JobEvent> events = job.eventsAfter(after, waitSeconds * 1000);
        JsonObject o = new JsonObject();
        o.addProperty("job_id", job.id());
        JsonArray a = new JsonArray();
        events.forEach(e -> a.add(toJson(e)));
        o.add("events", a);
        return Routes.Reply.ok(o);
    }

    private Routes.Reply cancel(HttpExchange ex) throws ApiException {
        String[] parts = ex.getRequestURI().getPath().substring(JOBS.length()).split("/");
        if (parts.length != 2 || !parts[1].equals("cancel")) throw new ApiException(405, "MethodNotAllowed", "Use POST /diffusej/v1/jobs/{id}/cancel.");
        Job job = job(parts[0]);
        server.queue().cancel(job);
        return Routes.Reply.ok(toJson(job.lastEvent()));
    }

    private Job job(String id) throws ApiException {
        Job job = server.queue().find(id);
        if (job == null) throw ApiException.notFound("No job " + id + " (finished jobs are kept for a while only).");
        return job;
    }

    static JsonObject toJson(JobEvent e) {
        JsonObject o = new JsonObject();
        o.addProperty("seq", e.seq());
        o.addProperty("event", e.type().wireName());
        o.addProperty("job_id", e.jobId());
        o.addProperty("progress", e.progress());
        o.addProperty("step", e.step());
        o.addProperty("total", e.total());
        o.addProperty("eta", e.etaSeconds());
        o.addProperty("message", e.message());
        if (e.preview() != null) o.addProperty("preview", e.preview());
        if (e.type().isFinal()) {
            o.add("images", HttpIO.GSON.toJsonTree(e.images()));
            o.add("seeds", HttpIO.GSON.toJsonTree(e.seeds()));
            o.add("infotexts", HttpIO.GSON.toJsonTree(e.infotexts()));
        }
        return o;
    }
}
