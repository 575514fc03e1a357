package org.diffusej.bridge;

import org.diffusej.engine.SamplerNames;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of AUTOMATIC1111's txt2img and img2img API fields: each field's A1111 default (the dataclass defaults
 * of {@code StableDiffusionProcessing}, {@code …Txt2Img} and {@code …Img2Img} in {@code modules/processing.py}, with
 * the API's additions and exclusions from {@code modules/api/models.py}) and what this server does with it:
 * applies it, leaves it without effect where that loses nothing, or reports it in {@code info.warnings} when a client
 * sets it to something this server cannot do. {@code parameters} echoes every field of the table.
 */
final class A1111Fields {

    /** What the server does with a field. */
    enum Use {
        /** Read and applied (the request parser handles it). */
        APPLIED,
        /** Has no effect here and needs none (e.g. {@code do_not_save_samples}: nothing is saved anyway). */
        NO_EFFECT,
        /** Not supported: a value other than the default (or a neutral value) is reported as a warning. */
        REPORTED
    }

    /**
     * One field.
     *
     * @param name    the JSON key
     * @param dflt    A1111's default (JSON null for Python's None)
     * @param use     what this server does with it
     * @param note    for {@link Use#REPORTED}: what the client should know (a sentence fragment after the field name)
     * @param neutral values that mean "off" besides the default (A1111 treats them the same)
     */
    record Field(String name, JsonElement dflt, Use use, String note, List<JsonElement> neutral) {

        /**
         * True when {@code v} asks for nothing beyond the default: absent, equal to the default or a neutral value, or
         * empty (false, "", [], {}) where the default is None.
         */
        boolean inert(JsonElement v) {
            if (v == null || v.isJsonNull() || v.equals(dflt) || neutral.contains(v)) return true;
            if (v.isJsonArray()) return v.getAsJsonArray().isEmpty() && !dflt.isJsonPrimitive();
            if (v.isJsonObject()) return v.getAsJsonObject().size() == 0 && !dflt.isJsonPrimitive();
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (!dflt.isJsonNull()) return false;
            return p.isBoolean() ? !p.getAsBoolean() : p.isString() && p.getAsString().isEmpty();
        }
    }

    static final List<Field> TXT2IMG;
    static final List<Field> IMG2IMG;

    static {
        List<Field> base = new ArrayList<>();
        // StableDiffusionProcessing (modules/processing.py), less API_NOT_ALLOWED
        base.add(applied("prompt", ""));
        base.add(applied("negative_prompt", ""));
        base.add(reported("styles", null, "prompt styles are not supported; the prompts are used as sent"));
        base.add(applied("seed", -1));
        base.add(applied("subseed", -1));
        base.add(applied("subseed_strength", 0));
        base.add(reported("seed_resize_from_h", -1, "resizing the seed is not supported", 0));
        base.add(reported("seed_resize_from_w", -1, "resizing the seed is not supported", 0));
        base.add(applied("sampler_name", null));
        base.add(applied("scheduler", null));
        base.add(applied("batch_size", 1));
        base.add(applied("n_iter", 1));
        base.add(applied("steps", 50));
        base.add(applied("cfg_scale", 7.0));
        base.add(applied("width", 512));
        base.add(applied("height", 512));
        base.add(reported("restore_faces", null, "face restoration is not available; faces are not restored"));
        base.add(reported("tiling", null, "tiling is not supported; the image does not tile"));
        base.add(noEffect("do_not_save_samples", false));
        base.add(noEffect("do_not_save_grid", false));
        base.add(reported("eta", null, "only ancestral samplers' eta 1 is supported; the sampler runs with its own eta", 1.0));
        base.add(reported("s_min_uncond", null, "is not supported", 0));
        base.add(reported("s_churn", null, "is not supported", 0));
        base.add(reported("s_tmax", null, "is not supported", 0));
        base.add(reported("s_tmin", null, "is not supported", 0));
        base.add(reported("s_noise", null, "is not supported; the sampler uses 1", 1.0));
        base.add(applied("override_settings", null));
        base.add(applied("override_settings_restore_afterwards", true));
        base.add(reported("refiner_checkpoint", null, "a refiner is not supported; the base model runs all steps"));
        base.add(reported("refiner_switch_at", null, "a refiner is not supported"));
        base.add(noEffect("disable_extra_networks", false));
        base.add(noEffect("comments", null));

        List<Field> txt = new ArrayList<>(base);
        // StableDiffusionProcessingTxt2Img; the hires fields take effect with enable_hr
        txt.add(applied("enable_hr", false));
        txt.add(applied("denoising_strength", 0.75));
        txt.add(noEffect("firstphase_width", 0));
        txt.add(noEffect("firstphase_height", 0));
        txt.add(applied("hr_scale", 2.0));
        txt.add(applied("hr_upscaler", null));
        txt.add(applied("hr_second_pass_steps", 0));
        txt.add(applied("hr_resize_x", 0));
        txt.add(applied("hr_resize_y", 0));
        txt.add(reported("hr_checkpoint_name", null, "the hires pass uses the current checkpoint", "",
                "Use same checkpoint"));
        txt.add(applied("hr_sampler_name", null));
        txt.add(applied("hr_scheduler", null));
        txt.add(applied("hr_prompt", ""));
        txt.add(applied("hr_negative_prompt", ""));
        txt.add(reported("firstpass_image", null, "a given first-pass image is not supported; the first pass is generated"));
        txt.addAll(apiAdditions());
        txt.addAll(ownAdditions());

        List<Field> img = new ArrayList<>(base);
        // StableDiffusionProcessingImg2Img
        img.add(applied("init_images", null));
        img.add(applied("resize_mode", 0));
        img.add(applied("denoising_strength", 0.75));
        img.add(noEffect("image_cfg_scale", null)); // only instruct-pix2pix ("edit") models use it; none load here
        img.add(applied("mask", null));
        img.add(applied("mask_blur_x", 4));
        img.add(applied("mask_blur_y", 4));
        img.add(applied("mask_blur", null));
        img.add(reported("mask_round", true, "a soft mask is not supported; the mask is rounded to 0/1", true));
        img.add(applied("inpainting_fill", 0));
        img.add(applied("inpaint_full_res", true));
        img.add(applied("inpaint_full_res_padding", 0));
        img.add(applied("inpainting_mask_invert", 0));
        img.add(reported("initial_noise_multiplier", null, "is not supported; the noise is used as drawn", 1.0));
        img.add(reported("latent_mask", null, "a separate latent mask is not supported; the mask is used"));
        img.add(reported("include_init_images", false, "the init images are not added to the answer"));
        img.addAll(apiAdditions());
        img.addAll(ownAdditions());
        TXT2IMG = List.copyOf(txt);
        IMG2IMG = List.copyOf(img);
    }

    /** What {@code modules/api/models.py} adds to both requests. */
    private static List<Field> apiAdditions() {
        return List.of(
                applied("sampler_index", SamplerNames.API_DEFAULT),
                noEffect("force_task_id", null),
                reported("script_name", null, "scripts are not available; no script ran"),
                noEffect("script_args", new JsonArray()),
                applied("send_images", true),
                reported("save_images", false, "this server does not save images to disk; they are in the answer"),
                reported("alwayson_scripts", new JsonObject(), "scripts (extensions) are not available; none ran"),
                reported("infotext", null, "applying an infotext to the request is not supported; the fields are used as sent"));
    }

    /**
     * DiffuseJ's own fields (A1111 has none of them): {@code timestep_spacing} = diffusers' leading / trailing /
     * linspace for this job (null = the model's scheduler config), e.g. "trailing" for SD-Turbo.
     */
    private static List<Field> ownAdditions() {
        return List.of(applied(TIMESTEP_SPACING, null));
    }

    /** The JSON key of {@link #ownAdditions()}' timestep spacing. */
    static final String TIMESTEP_SPACING = "timestep_spacing";

    private A1111Fields() { }

    static List<Field> of(boolean img2img) {
        return img2img ? IMG2IMG : TXT2IMG;
    }

    /** The field called {@code name}, or null when A1111 has no such field for this mode. */
    static Field find(boolean img2img, String name) {
        for (Field f : of(img2img)) if (f.name().equals(name)) return f;
        return null;
    }

    /** Every field with its A1111 default, in table order. */
    static Map<String, JsonElement> defaults(boolean img2img) {
        Map<String, JsonElement> out = new LinkedHashMap<>();
        for (Field f : of(img2img)) out.put(f.name(), f.dflt().deepCopy());
        return out;
    }

    /**
     * Warnings for what {@code body} asks that this server does not do: {@link Use#REPORTED} fields set to something
     * other than their default, and keys A1111 does not have.
     */
    static List<String> warnings(JsonObject body, boolean img2img) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : body.entrySet()) {
            Field f = find(img2img, e.getKey());
            if (f == null)
                out.add(OriginPolicy.quote(e.getKey()) + ": not an AUTOMATIC1111 " + (img2img ? "img2img" : "txt2img")
                        + " field; ignored");
            else if (f.use() == Use.REPORTED && !f.inert(e.getValue()))
                out.add(f.name() + ": " + f.note());
        }
        return out;
    }

    private static Field applied(String name, Object dflt) {
        return new Field(name, json(dflt), Use.APPLIED, "", List.of());
    }

    private static Field noEffect(String name, Object dflt) {
        return new Field(name, json(dflt), Use.NO_EFFECT, "", List.of());
    }

    private static Field reported(String name, Object dflt, String note, Object... neutral) {
        List<JsonElement> n = new ArrayList<>();
        for (Object o : neutral) n.add(json(o));
        return new Field(name, json(dflt), Use.REPORTED, note, List.copyOf(n));
    }

    private static JsonElement json(Object v) {
        if (v == null) return JsonNull.INSTANCE;
        if (v instanceof JsonElement e) return e;
        if (v instanceof Boolean b) return new JsonPrimitive(b);
        if (v instanceof Number n) return new JsonPrimitive(n);
        return new JsonPrimitive(v.toString());
    }
}
