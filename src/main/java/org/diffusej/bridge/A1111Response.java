package org.diffusej.bridge;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Progress;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.SamplerNames;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds AUTOMATIC1111-shaped JSON responses (generation, progress, samplers, models, options). */
final class A1111Response {
    /** Version string reported where A1111 reports its own. */
    static final String VERSION = "diffusej-0.1.0";
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneId.systemDefault());
    private static final Gson GSON = new com.google.gson.GsonBuilder().serializeNulls().create();

    private A1111Response() { }

    /**
     * {@code {"images": [...], "parameters": {...}, "info": "<json>"}} for a finished or interrupted job; an
     * interrupted job's images are those it reached. {@code info.warnings} lists what the request asked that was not
     * done (a DiffuseJ addition; A1111 has no such list).
     */
    static JsonObject generation(Job job, JobEvent last, JsonObject parameters, List<String> warnings) {
        JsonObject out = new JsonObject();
        JsonArray images = new JsonArray();
        last.images().forEach(images::add);
        out.add("images", images);
        out.add("parameters", parameters);
        JsonObject info = info(job, last);
        info.add("warnings", GSON.toJsonTree(warnings));
        Result result = job.result();
        info.add("unfinished_images", GSON.toJsonTree(result == null ? List.of() : result.unfinished()));
        out.addProperty("info", GSON.toJson(info));
        return out;
    }

    private static JsonObject info(Job job, JobEvent last) {
        Result result = job.result();
        Request r = result != null ? result.request() : job.request();
        ModelInfo model = result != null ? result.model() : null;
        List<Long> seeds = last.seeds();
        long seed = seeds.isEmpty() ? r.seed() : seeds.get(0);
        JsonObject info = new JsonObject();
        info.addProperty("prompt", r.prompt());
        info.add("all_prompts", repeat(r.prompt(), seeds.size()));
        info.addProperty("negative_prompt", r.negativePrompt());
        info.add("all_negative_prompts", repeat(r.negativePrompt(), seeds.size()));
        info.addProperty("seed", seed);
        info.add("all_seeds", GSON.toJsonTree(seeds));
        List<Long> subseeds = new ArrayList<>();
        for (long s : seeds) subseeds.add(r.variationSeed() == -1 ? -1 : r.variationSeed() + (s - seed));
        info.addProperty("subseed", r.variationSeed());
        info.add("all_subseeds", GSON.toJsonTree(subseeds));
        info.addProperty("subseed_strength", r.variationStrength());
        info.addProperty("width", r.width());
        info.addProperty("height", r.height());
        info.addProperty("sampler_name", r.sampler());
        info.addProperty("cfg_scale", r.cfgScale());
        info.addProperty("steps", r.steps());
        info.addProperty("batch_size", r.batchSize());
        info.addProperty("restore_faces", false);
        info.add("face_restoration_model", JsonNull.INSTANCE);
        info.addProperty("sd_model_name", model == null ? null : model.name());
        info.addProperty("sd_model_hash", model == null ? null : model.shortHash());
        Map<String, Object> written = last.infotexts().isEmpty() ? Map.of()
                : org.diffusej.engine.infotext.Infotext.parse(last.infotexts().get(0));
        info.add("sd_vae_name", GSON.toJsonTree(written.get("VAE")));        // null with the model's own VAE
        info.add("sd_vae_hash", GSON.toJsonTree(written.get("VAE hash")));
        info.addProperty("seed_resize_from_w", -1);
        info.addProperty("seed_resize_from_h", -1);
        if (r.mode() == org.diffusej.engine.Mode.TXT2IMG) info.add("denoising_strength", JsonNull.INSTANCE);
        else info.addProperty("denoising_strength", r.strength());
        info.add("extra_generation_params", new JsonObject());
        info.addProperty("index_of_first_image", 0);
        info.add("infotexts", GSON.toJsonTree(last.infotexts()));
        info.add("styles", new JsonArray());
        info.addProperty("job_timestamp", TIMESTAMP.format(job.created()));
        info.addProperty("clip_skip", r.clipSkip());
        info.addProperty("is_using_inpainting_conditioning", model != null && model.inpainting());
        info.addProperty("version", VERSION);
        if (!last.message().isEmpty()) info.addProperty("comments", last.message());
        return info;
    }

    private static JsonArray repeat(Object v, int n) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < n; i++) a.add(GSON.toJsonTree(v));
        return a;
    }

    /** A1111's {@code /sdapi/v1/progress}: fraction, ETA and (with {@code image}) a preview of the running job. */
    static JsonObject progress(Job current, int waiting, boolean image) {
        JsonObject state = new JsonObject();
        Progress p = current == null ? null : current.lastProgress();
        double fraction = p == null ? 0 : p.fraction();
        state.addProperty("skipped", current != null && current.skipRequested());
        state.addProperty("interrupted", current != null && current.cancelRequested());
        state.addProperty("stopping_generation", false);
        state.addProperty("job", current == null ? "" : current.kind());
        state.addProperty("job_count", waiting + (current == null ? 0 : 1));
        state.addProperty("job_timestamp", current == null ? "0" : TIMESTAMP.format(current.created()));
        state.addProperty("job_no", 0);
        state.addProperty("sampling_step", p == null ? 0 : p.step());
        state.addProperty("sampling_steps", p == null ? (current == null ? 0 : current.request().steps()) : p.total());
        JsonObject out = new JsonObject();
        out.addProperty("progress", fraction);
        out.addProperty("eta_relative", p == null || p.etaSeconds() < 0 ? 0 : p.etaSeconds());
        out.add("state", state);
        RgbImage preview = p == null || !image ? null : p.preview();
        if (preview == null) out.add("current_image", JsonNull.INSTANCE);
        else out.addProperty("current_image", ImageCodec.pngBase64(preview, null));
        out.add("textinfo", current == null ? JsonNull.INSTANCE : GSON.toJsonTree(p == null ? "Waiting..." : p.phase()));
        out.addProperty("current_task", current == null ? null : current.id());
        return out;
    }

    /** The engine's samplers ({@link SamplerNames#choices()}) with their aliases, as A1111 lists them. */
    static JsonArray samplers() {
        JsonArray out = new JsonArray();
        for (SamplerNames.Choice c : SamplerNames.choices()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", c.name());
            JsonArray aliases = new JsonArray();
            c.aliases().forEach(aliases::add);
            o.add("aliases", aliases);
            o.add("options", new JsonObject());
            out.add(o);
        }
        return out;
    }

    static JsonArray schedulers() {
        JsonArray out = new JsonArray();
        for (SamplerNames.Choice c : SamplerNames.schedulerChoices()) {
            String label = c.name();
            String name = c.aliases().get(0);
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("label", label);
            o.add("aliases", JsonNull.INSTANCE);
            o.addProperty("default_rho", label.equals(SamplerNames.KARRAS) ? 7.0 : -1);
            o.addProperty("need_inner_model", false);
            out.add(o);
        }
        return out;
    }

    static JsonArray sdModels(List<SdModelEntry> checkpoints) {
        JsonArray out = new JsonArray();
        for (SdModelEntry c : checkpoints) {
            JsonObject o = new JsonObject();
            o.addProperty("title", c.title());
            o.addProperty("model_name", c.modelName());
            o.addProperty("hash", c.hash());
            o.addProperty("sha256", c.sha256());
            o.addProperty("filename", c.filename() == null ? null : java.nio.file.Path.of(c.filename()).getFileName().toString());
            o.add("config", JsonNull.INSTANCE);
            out.add(o);
        }
        return out;
    }

    /**
     * The options: what clients stored, the selected checkpoint, and the options this server applies at their
     * stored value or A1111's default.
     */
    static JsonObject options(SdModelEntry current, JsonObject stored) {
        JsonObject out = stored.deepCopy();
        out.addProperty("sd_model_checkpoint", current.title());
        out.addProperty("sd_checkpoint_hash", current.sha256() != null ? current.sha256() : current.hash());
        if (!out.has("samples_format")) out.addProperty("samples_format", A1111Request.DEFAULT_FORMAT);
        if (!out.has("CLIP_stop_at_last_layers")) out.addProperty("CLIP_stop_at_last_layers", A1111Request.DEFAULT_CLIP_SKIP);
        if (!out.has("jpeg_quality")) out.addProperty("jpeg_quality", A1111Request.DEFAULT_JPEG_QUALITY);
        return out;
    }

    /** DiffuseJ's own keys: the compute precision used and why (one sentence), when the engine knows them. */
    static void addPrecision(JsonObject out, ModelInfo model) {
        if (model == null || model.precision() == null) return;
        out.addProperty("diffusej_precision", PrecisionChoice.name(model.precision().used()));
        out.addProperty("diffusej_precision_reason", model.precision().reason());
    }
}
