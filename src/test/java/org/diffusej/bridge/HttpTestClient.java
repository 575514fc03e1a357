package org.diffusej.bridge;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import okhttp3.Call;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** A small OkHttp client for the bridge tests: JSON in, status + JSON out. */
final class HttpTestClient {
    /** Status, raw body and headers of one answer. */
    record Answer(int status, String body, okhttp3.Headers headers) {
        JsonElement json() { return JsonParser.parseString(body); }
        JsonObject object() { return json().getAsJsonObject(); }
    }

    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(60, TimeUnit.SECONDS).build();
    private final String base;
    private final String credentials;

    HttpTestClient(String base) { this(base, null, null); }

    HttpTestClient(String base, String user, String pass) {
        this.base = base;
        this.credentials = user == null ? null : Credentials.basic(user, pass);
    }

    Request.Builder request(String path) {
        Request.Builder b = new Request.Builder().url(base + path);
        if (credentials != null) b.header("Authorization", credentials);
        return b;
    }

    Answer get(String path) throws IOException {
        return execute(http.newCall(request(path).get().build()));
    }

    Answer post(String path, String json) throws IOException {
        return execute(call(path, json));
    }

    Answer post(String path, JsonObject json) throws IOException {
        return post(path, json.toString());
    }

    Call call(String path, String json) {
        return http.newCall(request(path).post(RequestBody.create(json, okhttp3.MediaType.get("application/json"))).build());
    }

    static Answer execute(Call call) throws IOException {
        try (Response r = call.execute()) {
            return new Answer(r.code(), r.body() == null ? "" : r.body().string(), r.headers());
        }
    }

    static String pngBase64(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static BufferedImage decode(String base64) throws IOException {
        return ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }
}
