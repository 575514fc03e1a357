package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.engine.RgbImage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A1111's postprocessing endpoints: {@code extra-single-image} and {@code extra-batch-images} with the built-in
 * upscalers ({@link Extras}), {@code upscalers} listing them, and {@code interrogate}, which needs captioning models
 * this server does not ship and answers 501 saying so. Field names and defaults are those of A1111's
 * {@code ExtrasBaseRequest} ({@code modules/api/models.py}); face restoration is reported, not done.
 */
final class SdApiExtras {
    private final BridgeServer server;

    SdApiExtras(BridgeServer server) {
        this.server = server;
    }

    void register(Routes routes) {
        routes.add("GET", "/sdapi/v1/upscalers", "The built-in upscalers: None, Lanczos, Nearest",
                        ex -> Routes.Reply.ok(upscalers()))
              .add("POST", "/sdapi/v1/extra-single-image", "Upscales one image (built-in upscalers)", this::single)
              .add("POST", "/sdapi/v1/extra-batch-images", "Upscales a list of images (built-in upscalers)", this::batch)
              .add("POST", "/sdapi/v1/interrogate", "501: no CLIP/BLIP or DeepDanbooru captioning models here",
                        this::interrogate);
    }

    /** A1111's {@code UpscalerItem}s for the built-in upscalers. */
    static JsonArray upscalers() {
        JsonArray out = new JsonArray();
        for (String name : Extras.UPSCALERS) {
            JsonObject u = new JsonObject();
            u.addProperty("name", name);
            u.add("model_name", JsonNull.INSTANCE);
            u.add("model_path", JsonNull.INSTANCE);
            u.add("model_url", JsonNull.INSTANCE);
            u.addProperty("scale", Extras.LISTED_SCALE);
            out.add(u);
        }
        return out;
    }

    private Routes.Reply single(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        List<String> warnings = new ArrayList<>();
        Extras extras = parse(body, warnings);
        A1111Request.Fields f = new A1111Request.Fields(body);
        RgbImage out = run(extras, server.codec().decode(f.string("image", ""), "image"));
        JsonObject answer = new JsonObject();
        answer.addProperty("html_info", html(extras.info(0, 0), warnings));
        answer.addProperty("image", ImageCodec.pngBase64(out, null));
        warn(ex, warnings);
        return Routes.Reply.ok(answer);
    }

    private Routes.Reply batch(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        List<String> warnings = new ArrayList<>();
        Extras extras = parse(body, warnings);
        JsonElement list = body.get("imageList");
        if (list == null || !list.isJsonArray())
            throw ApiException.unprocessable("imageList must be a list of {\"data\": base64 image, \"name\": file name}.");
        JsonArray images = new JsonArray();
        int i = 0;
        for (JsonElement e : list.getAsJsonArray()) {
            if (!e.isJsonObject()) throw ApiException.unprocessable("imageList[" + i + "] must be {\"data\": ..., \"name\": ...}.");
            String data = new A1111Request.Fields(e.getAsJsonObject()).string("data", "");
            images.add(ImageCodec.pngBase64(run(extras, server.codec().decode(data, "imageList[" + i + "].data")), null));
            i++;
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("html_info", html(extras.info(0, 0), warnings));
        answer.add("images", images);
        warn(ex, warnings);
        return Routes.Reply.ok(answer);
    }

    private RgbImage run(Extras extras, java.awt.image.BufferedImage img) throws ApiException {
        int[] size = extras.outputSize(img.getWidth(), img.getHeight());
        server.codec().checkSize(size[0], size[1], "The upscaled size");
        return extras.apply(ImageCodec.toRgb(img));
    }

    /** {@code ExtrasBaseRequest}: upscaling fields applied; face restoration reported; the rest has no effect here. */
    static Extras parse(JsonObject body, List<String> warnings) throws ApiException {
        A1111Request.Fields f = new A1111Request.Fields(body);
        String up1 = upscaler(f, "upscaler_1"), up2 = upscaler(f, "upscaler_2");
        if (f.doubleValue("gfpgan_visibility", 0, 0, 1) > 0)
            warnings.add("gfpgan_visibility: face restoration (GFPGAN) is not available; faces are not restored");
        if (f.doubleValue("codeformer_visibility", 0, 0, 1) > 0)
            warnings.add("codeformer_visibility: face restoration (CodeFormer) is not available; faces are not restored");
        f.doubleValue("codeformer_weight", 0, 0, 1);
        return new Extras(up1, up2, f.doubleValue("extras_upscaler_2_visibility", 0, 0, 1),
                f.intValue("resize_mode", 0, 0, 1) == 1, f.doubleValue("upscaling_resize", 2, 0.01, 8),
                f.intValue("upscaling_resize_w", 512, 8, 16384), f.intValue("upscaling_resize_h", 512, 8, 16384),
                f.bool("upscaling_crop", true));
    }

    private static String upscaler(A1111Request.Fields f, String field) throws ApiException {
        String name = f.string(field, Extras.NONE);
        String u = Extras.canonical(name);
        if (u == null)
            throw ApiException.unprocessable(field + " '" + OriginPolicy.quote(name) + "' is not available; this server has "
                    + "the built-in upscalers " + String.join(", ", Extras.UPSCALERS) + " (no model upscalers).");
        return u;
    }

    /** A1111's {@code plaintext_to_html} of the info text, with what was not done after it. */
    private static String html(String info, List<String> warnings) {
        List<String> lines = new ArrayList<>();
        if (!info.isEmpty()) lines.add(escape(info));
        for (String w : warnings) lines.add(escape("Warning: " + w));
        return "<p>" + String.join("<br>\n", lines) + "</p>";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#x27;");
    }

    private static void warn(HttpExchange ex, List<String> warnings) {
        if (!warnings.isEmpty()) ex.getResponseHeaders().set(SdApi.WARNINGS_HEADER, SdApi.warnedFields(warnings));
    }

    /** 501 naming the missing models; a wrong model name is A1111's 404 "Model not found". */
    private Routes.Reply interrogate(HttpExchange ex) throws ApiException, IOException {
        JsonObject body = HttpIO.readJsonObject(ex, server.maxBodyBytes());
        String model = new A1111Request.Fields(body).string("model", "clip");
        if (!model.equals("clip") && !model.equals("deepdanbooru"))
            throw ApiException.notFound("Model not found: interrogate models are clip and deepdanbooru, got '"
                    + OriginPolicy.quote(model) + "'.");
        throw new ApiException(501, "NotImplemented", "Interrogation (" + model + ") needs "
                + (model.equals("clip") ? "the BLIP captioning and CLIP ranking models" : "the DeepDanbooru tagging model")
                + ", which this server does not ship; caption the image with another tool.");
    }
}
