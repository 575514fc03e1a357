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
import org.diffusej.engine.SamplerNames;

/**
 * An AUTOMATIC1111 {@code txt2img}/{@code img2img} payload turned into an engine {@link Request}, with A1111's field
 * names and API defaults (steps 50, sampler "Euler", CFG 7, 512×512, strength 0.75, mask blur 4, inpainting fill 0,
 * "only masked" on with padding 0, subseed −1 with strength 0). Unknown fields are ignored.
 *
 * @param kind       "txt2img", "img2img" or "inpaint"
 * @param request    what the engine runs
 * @param parameters the payload with defaults filled in and images left out (A1111's {@code parameters} echo)
 */
public record A1111Request(String kind, Request request, JsonObject parameters) {

    /** Parses a txt2img ({@code img2img == false}) or img2img payload. */
    public static A1111Request parse(JsonObject body, boolean img2img, ImageCodec codec) throws ApiException {
        Fields f = new Fields(body);
        JsonObject echo = body.deepCopy();
        Request.Builder b = Request.builder(Mode.TXT2IMG)
                .prompt(f.text("prompt"))
                .negativePrompt(f.text("negative_prompt"))
                .seed(f.longValue("seed", -1))
                .variation(f.longValue("subseed", -1), f.doubleValue("subseed_strength", 0, 0, 1))
                .sampler(f.string("sampler_name", f.string("sampler_index", SamplerNames.API_DEFAULT)))
                .scheduler(f.string("scheduler", null))
                .steps(f.intValue("steps", 50, 1, 1000))
                .cfgScale(f.doubleValue("cfg_scale", 7.0, 0, 100))
                .batchSize(f.intValue("batch_size", 1, 1, 64))
                .batchCount(f.intValue("n_iter", 1, 1, 1000));
        JsonObject overrides = body.has("override_settings") && body.get("override_settings").isJsonObject()
                ? body.getAsJsonObject("override_settings") : new JsonObject();
        b.clipSkip(new Fields(overrides).intValue("CLIP_stop_at_last_layers", 1, 1, 12));
        Integer width = f.optionalInt("width", 1, Integer.MAX_VALUE);
        Integer height = f.optionalInt("height", 1, Integer.MAX_VALUE);

        String kind = "txt2img";
        if (!img2img) {
            int w = width == null ? 512 : width, h = height == null ? 512 : height;
            codec.checkSize(w, h, "The requested size");
            b.size(w, h);
        } else {
            JsonArray inits = body.has("init_images") && body.get("init_images").isJsonArray()
                    ? body.getAsJsonArray("init_images") : new JsonArray();
            if (inits.isEmpty() || !inits.get(0).isJsonPrimitive())
                throw ApiException.unprocessable("img2img needs init_images: a list with at least one base64 image.");
            BufferedImage init = codec.decode(inits.get(0).getAsString(), "init_images[0]");
            int w = width == null ? init.getWidth() : width, h = height == null ? init.getHeight() : height;
            codec.checkSize(w, h, "The requested size");
            b.mode(Mode.IMG2IMG).initImage(ImageCodec.toRgb(ImageCodec.resize(init, w, h, false))).size(w, h)
                    .strength(f.doubleValue("denoising_strength", 0.75, 0, 1));
            JsonElement maskField = body.get("mask");
            if (maskField != null && !maskField.isJsonNull()) {
                kind = "inpaint";
                BufferedImage maskImage = codec.decode(f.string("mask", ""), "mask");
                if (maskImage.getWidth() != init.getWidth() || maskImage.getHeight() != init.getHeight())
                    throw ApiException.unprocessable("The mask is " + maskImage.getWidth() + "x" + maskImage.getHeight()
                            + " but init_images[0] is " + init.getWidth() + "x" + init.getHeight() + "; they must be the same size.");
                Mask mask = ImageCodec.toMask(ImageCodec.resize(maskImage, w, h, true));
                int fill = f.intValue("inpainting_fill", 0, 0, 3);
                b.mode(Mode.INPAINT).mask(mask)
                        .maskBlur(f.intValue("mask_blur", 4, 0, 256))
                        .maskedContent(MaskedContent.fromA1111Index(fill))
                        .onlyMasked(f.bool("inpaint_full_res", true))
                        .onlyMaskedPadding(f.intValue("inpaint_full_res_padding", 0, 0, 4096))
                        .invertMask(f.intValue("inpainting_mask_invert", 0, 0, 1) == 1);
            }
            echo.add("init_images", JsonNull.INSTANCE);
            echo.add("mask", JsonNull.INSTANCE);
        }
        Request r = b.build();
        fillDefaults(echo, r, img2img);
        return new A1111Request(kind, r, echo);
    }

    private static void fillDefaults(JsonObject echo, Request r, boolean img2img) {
        putIfAbsent(echo, "prompt", new JsonPrimitive(r.prompt()));
        putIfAbsent(echo, "negative_prompt", new JsonPrimitive(r.negativePrompt()));
        putIfAbsent(echo, "seed", new JsonPrimitive(r.seed()));
        putIfAbsent(echo, "subseed", new JsonPrimitive(r.variationSeed()));
        putIfAbsent(echo, "subseed_strength", new JsonPrimitive(r.variationStrength()));
        putIfAbsent(echo, "sampler_name", new JsonPrimitive(r.sampler()));
        putIfAbsent(echo, "steps", new JsonPrimitive(r.steps()));
        putIfAbsent(echo, "cfg_scale", new JsonPrimitive(r.cfgScale()));
        putIfAbsent(echo, "width", new JsonPrimitive(r.width()));
        putIfAbsent(echo, "height", new JsonPrimitive(r.height()));
        putIfAbsent(echo, "batch_size", new JsonPrimitive(r.batchSize()));
        putIfAbsent(echo, "n_iter", new JsonPrimitive(r.batchCount()));
        if (img2img) {
            putIfAbsent(echo, "denoising_strength", new JsonPrimitive(r.strength()));
            putIfAbsent(echo, "mask_blur", new JsonPrimitive(r.mode() == Mode.INPAINT ? r.maskBlur() : 4));
            putIfAbsent(echo, "inpainting_fill", new JsonPrimitive(0));
            putIfAbsent(echo, "inpaint_full_res", new JsonPrimitive(true));
            putIfAbsent(echo, "inpaint_full_res_padding", new JsonPrimitive(0));
            putIfAbsent(echo, "inpainting_mask_invert", new JsonPrimitive(0));
        }
    }

    private static void putIfAbsent(JsonObject o, String key, JsonElement value) {
        if (!o.has(key) || o.get(key).isJsonNull()) o.add(key, value);
    }

    /** Typed, validated access to optional JSON fields; a wrong type or range is a 400/422 naming the field. */
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
