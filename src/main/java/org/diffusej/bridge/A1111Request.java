package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.sampler.TimestepSpacing;

/**
 * An AUTOMATIC1111 {@code txt2img}/{@code img2img} payload turned into an engine {@link Request}, with A1111's field
 * names and API defaults ({@link A1111Fields}: steps 50, sampler "Euler", CFG 7, 512×512, strength 0.75, mask blur 4,
 * inpainting fill 0, "only masked" on with padding 0, subseed −1 with strength 0). Nothing is ignored silently: what
 * the server cannot do is listed in {@link #warnings}; options in {@code override_settings} it does not know are a 422.
 *
 * @param kind              "txt2img", "img2img" or "inpaint"
 * @param request           what the engine runs
 * @param parameters        every A1111 field with the value used (defaults filled in, images left out)
 * @param warnings          what was asked but is not done, one sentence each
 * @param output            how the images are encoded (A1111's {@code samples_format})
 * @param checkpoint        {@code override_settings.sd_model_checkpoint}, or null
 * @param vae               {@code override_settings.sd_vae} ("Automatic", "None" or a listed VAE), or null
 * @param restoreAfterwards A1111's {@code override_settings_restore_afterwards}
 * @param keptOptions       the overrides that stay set after the job (when not restored), without checkpoint and VAE
 */
public record A1111Request(String kind, Request request, JsonObject parameters, List<String> warnings, Output output,
                           String checkpoint, String vae, boolean restoreAfterwards, JsonObject keptOptions) {

    /** Options {@code override_settings} may set; they are applied, anything else is refused. */
    static final List<String> OVERRIDABLE = List.of("sd_model_checkpoint", "sd_vae", "CLIP_stop_at_last_layers",
            "samples_format", "jpeg_quality");
    /** Options the model provider holds (switched around the job), never stored with the others. */
    static final List<String> MODEL_OPTIONS = List.of("sd_model_checkpoint", "sd_vae");
    /** A1111's option defaults for the options above (besides the checkpoint). */
    static final int DEFAULT_CLIP_SKIP = 1;
    static final String DEFAULT_FORMAT = "png";
    static final int DEFAULT_JPEG_QUALITY = 80;

    /**
     * Image encoding of the answer.
     *
     * @param jpeg    JPEG instead of PNG with a {@code parameters} chunk
     * @param quality JPEG quality 1–100
     */
    public record Output(boolean jpeg, int quality) {
        static final Output PNG = new Output(false, DEFAULT_JPEG_QUALITY);
    }

    /** A1111's API width and height when a txt2img payload gives none (whatever the model). */
    public static final int A1111_DEFAULT_SIZE = 512;

    /** Parses a txt2img ({@code img2img == false}) or img2img payload with A1111's default options. */
    public static A1111Request parse(JsonObject body, boolean img2img, ImageCodec codec) throws ApiException {
        return parse(body, img2img, codec, new JsonObject());
    }

    /**
     * Parses a payload; {@code options} are the server's stored options (from {@code POST /sdapi/v1/options}), which
     * {@code override_settings} overrides for this job.
     */
    public static A1111Request parse(JsonObject body, boolean img2img, ImageCodec codec, JsonObject options)
            throws ApiException {
        return parse(body, img2img, codec, options, A1111_DEFAULT_SIZE);
    }

    /**
     * As {@link #parse(JsonObject, boolean, ImageCodec, JsonObject)}, with {@code defaultSize} as txt2img's width and
     * height when the payload gives none (the model's own size: 1024 for SDXL, where A1111's API would say 512).
     */
    public static A1111Request parse(JsonObject body, boolean img2img, ImageCodec codec, JsonObject options,
                                     int defaultSize) throws ApiException {
        Fields f = new Fields(body);
        List<String> warnings = new ArrayList<>(A1111Fields.warnings(body, img2img));
        JsonObject overrides = overrides(body);
        JsonObject opts = options.deepCopy();
        for (Map.Entry<String, JsonElement> e : overrides.entrySet()) opts.add(e.getKey(), e.getValue());
        Fields o = new Fields(opts);
        Request.Builder b = Request.builder(Mode.TXT2IMG)
                .prompt(f.text("prompt"))
                .negativePrompt(f.text("negative_prompt"))
                .seed(f.longValue("seed", -1))
                .variation(f.longValue("subseed", -1), f.doubleValue("subseed_strength", 0, 0, 1))
                .sampler(f.string("sampler_name", f.string("sampler_index", SamplerNames.API_DEFAULT)))
                .scheduler(f.string("scheduler", null))
                .timestepSpacing(spacing(f))
                .steps(f.intValue("steps", 50, 1, 1000))
                .cfgScale(f.doubleValue("cfg_scale", 7.0, 0, 100))
                .batchSize(f.intValue("batch_size", 1, 1, 64))
                .batchCount(f.intValue("n_iter", 1, 1, 1000))
                .clipSkip(o.intValue("CLIP_stop_at_last_layers", DEFAULT_CLIP_SKIP, 1, 12));
        Output output = output(o, warnings);
        Integer width = f.optionalInt("width", 1, Integer.MAX_VALUE);
        Integer height = f.optionalInt("height", 1, Integer.MAX_VALUE);

        String kind = "txt2img";
        if (!img2img) {
            int w = width == null ? defaultSize : width, h = height == null ? defaultSize : height;
            codec.checkSize(w, h, "The requested size");
            b.size(w, h);
            if (f.bool("enable_hr", false)) {
                Request.Hires hr = hires(f, w, h, codec);
                b.hires(hr);
                if (hr.prompt() != null && hr.prompt().contains("<lora:"))
                    warnings.add("hr_prompt: LoRA tags in the hires prompt are not applied; the prompt's LoRAs stay in "
                            + "effect for both passes");
            }
        } else {
            kind = img2img(body, f, b, codec, width, height, warnings);
        }
        Request r = b.build();
        String checkpoint = new Fields(overrides).string("sd_model_checkpoint", null);
        String vae = new Fields(overrides).string("sd_vae", null);
        boolean restore = f.bool("override_settings_restore_afterwards", true);
        JsonObject kept = new JsonObject();
        if (!restore)
            for (Map.Entry<String, JsonElement> e : overrides.entrySet())
                if (!MODEL_OPTIONS.contains(e.getKey())) kept.add(e.getKey(), e.getValue());
        return new A1111Request(kind, r, echo(body, r, img2img), List.copyOf(warnings), output, checkpoint, vae, restore,
                kept);
    }

    /** {@code override_settings}: an object of options this server applies; others are a 422 naming them. */
    private static JsonObject overrides(JsonObject body) throws ApiException {
        JsonElement e = body.get("override_settings");
        if (e == null || e.isJsonNull()) return new JsonObject();
        if (!e.isJsonObject()) throw ApiException.badRequest("override_settings must be an object of option names and values.");
        List<String> unknown = new ArrayList<>();
        for (String k : e.getAsJsonObject().keySet()) if (!OVERRIDABLE.contains(k)) unknown.add(OriginPolicy.quote(k));
        if (!unknown.isEmpty())
            throw ApiException.unprocessable("override_settings has option(s) this server does not apply: "
                    + String.join(", ", unknown) + ". It applies " + String.join(", ", OVERRIDABLE) + ".");
        return e.getAsJsonObject();
    }

    /** A1111's {@code samples_format}: png (with the parameters chunk) or jpg/jpeg; webp has no writer here. */
    private static Output output(Fields o, List<String> warnings) throws ApiException {
        String format = o.string("samples_format", DEFAULT_FORMAT).trim().toLowerCase(Locale.ROOT);
        int quality = o.intValue("jpeg_quality", DEFAULT_JPEG_QUALITY, 1, 100);
        return switch (format) {
            case "png" -> Output.PNG;
            case "jpg", "jpeg" -> {
                warnings.add("samples_format: JPEG answers carry no parameters text; info.infotexts has it");
                yield new Output(true, quality);
            }
            case "webp", "avif", "gif" -> {
                warnings.add("samples_format: " + format + " cannot be written here (" + whyNot(format) + "); the images are PNG");
                yield Output.PNG;
            }
            default -> throw ApiException.unprocessable("samples_format must be png, jpg or webp, got '"
                    + OriginPolicy.quote(format) + "'.");
        };
    }

    /** Why a format A1111 can save is not offered: Java's ImageIO has PNG, JPEG and GIF writers only. */
    private static String whyNot(String format) {
        return switch (format) {
            case "webp" -> "no WebP encoder in this server's Java image libraries";
            case "avif" -> "no AVIF encoder in this server's Java image libraries";
            default -> "GIF's 256 colours would lose most of the image";
        };
    }

    /** Refuses (422) values of the options this server applies that it cannot use; other options are stored as given. */
    static void checkOptions(JsonObject options) throws ApiException {
        Fields o = new Fields(options);
        o.intValue("CLIP_stop_at_last_layers", DEFAULT_CLIP_SKIP, 1, 12);
        output(o, new ArrayList<>());
    }

    /** The img2img and inpaint part: init image, size, resize mode, mask. Returns the kind. */
    private static String img2img(JsonObject body, Fields f, Request.Builder b, ImageCodec codec, Integer width,
                                  Integer height, List<String> warnings) throws ApiException {
        JsonArray inits = body.has("init_images") && body.get("init_images").isJsonArray()
                ? body.getAsJsonArray("init_images") : new JsonArray();
        if (inits.isEmpty() || !inits.get(0).isJsonPrimitive())
            throw ApiException.unprocessable("img2img needs init_images: a list with at least one base64 image.");
        if (inits.size() > 1)
            warnings.add("init_images: only the first image is used (" + inits.size() + " sent)");
        BufferedImage init = codec.decode(inits.get(0).getAsString(), "init_images[0]");
        int w = width == null ? init.getWidth() : width, h = height == null ? init.getHeight() : height;
        codec.checkSize(w, h, "The requested size");
        int resizeMode = f.intValue("resize_mode", 0, 0, 3);
        if (resizeMode == 3 && (w != init.getWidth() || h != init.getHeight()))
            warnings.add("resize_mode: \"Just resize (latent upscale)\" resizes the image before encoding (mode 0), "
                    + "not its latents after");
        b.mode(Mode.IMG2IMG).initImage(ImageCodec.toRgb(resized(init, w, h, false, resizeMode))).size(w, h)
                .strength(f.doubleValue("denoising_strength", 0.75, 0, 1));
        JsonElement maskField = body.get("mask");
        if (maskField == null || maskField.isJsonNull()) return "img2img";
        // A1111 resizes the mask to the processing size with the image's resize mode, whatever its own size
        BufferedImage maskImage = codec.decode(f.string("mask", ""), "mask");
        Mask mask = ImageCodec.toMask(resized(maskImage, w, h, true, resizeMode));
        int blurX = f.intValue("mask_blur_x", 4, 0, 256), blurY = f.intValue("mask_blur_y", 4, 0, 256);
        Integer blur = f.optionalInt("mask_blur", 0, 256);
        if (blur == null && blurX != blurY)
            warnings.add("mask_blur_x/mask_blur_y: different blurs per direction are not supported; mask_blur_x is used for both");
        int fill = f.intValue("inpainting_fill", 0, 0, 3);
        b.mode(Mode.INPAINT).mask(mask)
                .maskBlur(blur != null ? blur : blurX)
                .maskedContent(MaskedContent.fromA1111Index(fill))
                .onlyMasked(f.bool("inpaint_full_res", true))
                .onlyMaskedPadding(f.intValue("inpaint_full_res_padding", 0, 0, 4096))
                .invertMask(f.intValue("inpainting_mask_invert", 0, 0, 1) == 1);
        return "inpaint";
    }

    /**
     * A1111's hires fix fields (applied with {@code enable_hr}): scale or target size, upscaler, second-pass steps,
     * strength, sampler and schedule ("Use same …" = the first pass's), prompt and negative prompt ("" = the first's).
     */
    private static Request.Hires hires(Fields f, int w, int h, ImageCodec codec) throws ApiException {
        String upscaler = f.string("hr_upscaler", Request.Hires.LATENT);
        int resizeX = f.intValue("hr_resize_x", 0, 0, Integer.MAX_VALUE);
        int resizeY = f.intValue("hr_resize_y", 0, 0, Integer.MAX_VALUE);
        Request.Hires hr = new Request.Hires(f.doubleValue("hr_scale", 2.0, 1, 4), upscaler,
                f.intValue("hr_second_pass_steps", 0, 0, 1000), f.doubleValue("denoising_strength", 0.75, 0, 1),
                resizeX, resizeY, same(f.string("hr_sampler_name", null), SAME_SAMPLER),
                same(f.string("hr_scheduler", null), SAME_SCHEDULER), f.text("hr_prompt"), f.text("hr_negative_prompt"));
        if (!hr.latent() && !hr.upscaler().equalsIgnoreCase(Request.Hires.LANCZOS))
            throw ApiException.unprocessable("hr_upscaler '" + upscaler + "' is not available; use "
                    + Request.Hires.LATENT + " or " + Request.Hires.LANCZOS + ".");
        if (hr.sampler() != null && SamplerNames.canonical(hr.sampler()).isEmpty())
            throw ApiException.unprocessable("hr_sampler_name '" + OriginPolicy.quote(hr.sampler()) + "' is not a sampler "
                    + "here; use one of " + String.join(", ", SamplerNames.samplers()) + " or \"" + SAME_SAMPLER + "\".");
        if (hr.scheduler() != null && SamplerNames.canonicalScheduler(hr.scheduler()).isEmpty())
            throw ApiException.unprocessable("hr_scheduler '" + OriginPolicy.quote(hr.scheduler()) + "' is not a schedule "
                    + "type here; use one of " + String.join(", ", SamplerNames.schedulers()) + " or \"" + SAME_SCHEDULER + "\".");
        int outW = resizeX > 0 ? resizeX : resizeY > 0 ? resizeY * w / h : (int) (w * hr.scale());
        int outH = resizeY > 0 ? resizeY : resizeX > 0 ? resizeX * h / w : (int) (h * hr.scale());
        codec.checkSize(Math.max(outW, 1), Math.max(outH, 1), "The hires size");
        return hr;
    }

    /** A1111's "Use same sampler/scheduler" choices (and empty) mean the first pass's: null. */
    private static String same(String value, String sameLabel) {
        return value == null || value.isBlank() || value.strip().equalsIgnoreCase(sameLabel) ? null : value.strip();
    }

    static final String SAME_SAMPLER = "Use same sampler";
    static final String SAME_SCHEDULER = "Use same scheduler";

    /**
     * A1111's resize modes: 0 just resize, 1 crop and resize, 2 resize and fill, 3 "just resize (latent upscale)",
     * done here as 0 in pixels (reported when the size changes).
     */
    private static BufferedImage resized(BufferedImage img, int w, int h, boolean nearest, int mode) {
        return switch (mode) {
            case 1 -> ImageCodec.cropResize(img, w, h, nearest);
            case 2 -> ImageCodec.fillResize(img, w, h, nearest);
            default -> ImageCodec.resize(img, w, h, nearest);
        };
    }

    /** Every field of the table: the client's value where it sent one, else the default; the values used where they differ. */
    private static JsonObject echo(JsonObject body, Request r, boolean img2img) {
        JsonObject echo = new JsonObject();
        for (Map.Entry<String, JsonElement> e : A1111Fields.defaults(img2img).entrySet()) {
            JsonElement sent = body.get(e.getKey());
            echo.add(e.getKey(), sent != null && !sent.isJsonNull() ? sent.deepCopy() : e.getValue());
        }
        echo.addProperty("prompt", r.prompt());
        echo.addProperty("negative_prompt", r.negativePrompt());
        echo.addProperty("sampler_name", r.sampler());
        echo.addProperty("steps", r.steps());
        echo.addProperty("cfg_scale", r.cfgScale());
        echo.addProperty("width", r.width());
        echo.addProperty("height", r.height());
        echo.addProperty("batch_size", r.batchSize());
        echo.addProperty("n_iter", r.batchCount());
        echo.addProperty("subseed_strength", r.variationStrength());
        if (img2img) {
            echo.add("init_images", JsonNull.INSTANCE);
            echo.add("mask", JsonNull.INSTANCE);
            echo.addProperty("denoising_strength", r.strength());
            if (r.mode() == Mode.INPAINT) {
                echo.addProperty("mask_blur", r.maskBlur());
                echo.addProperty("inpainting_fill", r.maskedContent().a1111Index());
                echo.addProperty("inpaint_full_res", r.onlyMasked());
                echo.addProperty("inpaint_full_res_padding", r.onlyMaskedPadding());
                echo.addProperty("inpainting_mask_invert", r.invertMask() ? 1 : 0);
            }
        }
        return echo;
    }

    /** Typed, validated access to optional JSON fields; a wrong type or range is a 400/422 naming the field. */
    /** DiffuseJ's {@code timestep_spacing} field: null when absent or empty, else leading / trailing / linspace (422 otherwise). */
    private static String spacing(Fields f) throws ApiException {
        String s = f.string(A1111Fields.TIMESTEP_SPACING, null);
        if (s == null || s.isBlank()) return null;
        try {
            return TimestepSpacing.fromDiffusers(s.strip()).name().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw ApiException.unprocessable(A1111Fields.TIMESTEP_SPACING + ": " + e.getMessage() + ".");
        }
    }

    static final class Fields {
        static final int MAX_PROMPT_CHARS = 64 * 1024;
        private final JsonObject o;

        Fields(JsonObject o) { this.o = o; }

        private JsonPrimitive primitive(String name) throws ApiException {
            JsonElement e = o.get(name);
            if (e == null || e.isJsonNull()) return null;
            if (!e.isJsonPrimitive())
                throw ApiException.badRequest(name + " must be a single value, got " + (e.isJsonArray() ? "an array." : "an object."));
            return e.getAsJsonPrimitive();
        }

        String string(String name, String dflt) throws ApiException {
            JsonPrimitive p = primitive(name);
            return p == null ? dflt : p.getAsString();
        }

        /** A prompt: at most {@value #MAX_PROMPT_CHARS} characters (413 beyond; CLIP reads 75 tokens per chunk). */
        String text(String name) throws ApiException {
            String s = string(name, "");
            if (s.length() > MAX_PROMPT_CHARS)
                throw new ApiException(413, "PromptTooLong", name + " has " + s.length() + " characters; this server "
                        + "accepts at most " + MAX_PROMPT_CHARS + ".");
            return s;
        }

        boolean bool(String name, boolean dflt) throws ApiException {
            JsonPrimitive p = primitive(name);
            if (p == null) return dflt;
            if (p.isBoolean()) return p.getAsBoolean();
            if (p.isNumber()) return p.getAsDouble() != 0;
            throw ApiException.badRequest(name + " must be true or false, got " + OriginPolicy.quote(p.toString()));
        }

        private double number(String name, JsonPrimitive p) throws ApiException {
            try {
                return p.isNumber() ? p.getAsDouble() : Double.parseDouble(p.getAsString().trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(name + " must be a number, got " + OriginPolicy.quote(p.toString()));
            }
        }

        Integer optionalInt(String name, int min, int max) throws ApiException {
            JsonPrimitive p = primitive(name);
            if (p == null) return null;
            double d = number(name, p);
            if (d != Math.rint(d)) throw ApiException.badRequest(name + " must be a whole number, got " + OriginPolicy.quote(p.toString()));
            if (d < min || d > max) throw ApiException.unprocessable(name + " must be between " + min + " and " + max + ", got " + OriginPolicy.quote(p.toString()));
            return (int) d;
        }

        int intValue(String name, int dflt, int min, int max) throws ApiException {
            Integer v = optionalInt(name, min, max);
            return v == null ? dflt : v;
        }

        long longValue(String name, long dflt) throws ApiException {
            JsonPrimitive p = primitive(name);
            if (p == null) return dflt;
            try {
                return p.isNumber() ? p.getAsBigDecimal().longValueExact() : Long.parseLong(p.getAsString().trim());
            } catch (ArithmeticException | NumberFormatException e) {
                throw ApiException.badRequest(name + " must be a whole number, got " + OriginPolicy.quote(p.toString()));
            }
        }

        double doubleValue(String name, double dflt, double min, double max) throws ApiException {
            JsonPrimitive p = primitive(name);
            if (p == null) return dflt;
            double d = number(name, p);
            if (!(d >= min && d <= max)) throw ApiException.unprocessable(name + " must be between " + min + " and " + max + ", got " + OriginPolicy.quote(p.toString()));
            return d;
        }
    }
}
