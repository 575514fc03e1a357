package org.diffusej.bridge;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reading bounded JSON bodies from and writing JSON answers to a JDK {@link HttpExchange}. */
final class HttpIO {
    static final Gson GSON = new GsonBuilder().serializeNulls().create();

    private HttpIO() { }

    /** The body, refused with 413 when it is (or turns out to be) larger than {@code maxBytes}. */
    static byte[] readBody(HttpExchange ex, long maxBytes) throws ApiException, IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) throw tooLarge(maxBytes);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length is not a number: " + declared);
            }
        }
        try (InputStream in = ex.getRequestBody(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) throw tooLarge(maxBytes);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "PayloadTooLarge", "The request body is larger than this server accepts ("
                + (maxBytes / (1024 * 1024)) + " MiB); send smaller images.");
    }

    /** The body as a JSON object; malformed JSON is a 400 that says where it broke. */
    static JsonObject readJsonObject(HttpExchange ex, long maxBytes) throws ApiException, IOException {
        byte[] body = readBody(ex, maxBytes);
        if (body.length == 0) return new JsonObject();
        JsonElement e;
        try {
            e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
        } catch (JsonParseException | IllegalStateException x) {
            throw new ApiException(400, "JSONDecodeError", "The request body is not valid JSON: " + rootMessage(x));
        }
        if (!e.isJsonObject()) throw new ApiException(400, "JSONDecodeError", "The request body must be a JSON object.");
        return e.getAsJsonObject();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    /** Query parameters (last value wins). */
    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return out;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Writes a JSON answer; a client that has gone away is not an error. */
    static void send(HttpExchange ex, int status, JsonElement body) {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        try {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException gone) {
            // The client disconnected; nothing to answer to.
        } finally {
            ex.close();
        }
    }

    /** An error in A1111's shape: {@code {"error", "detail", "body", "errors"}}. */
    static void sendError(HttpExchange ex, ApiException e) {
        JsonObject o = new JsonObject();
        o.addProperty("error", e.error());
        o.addProperty("detail", e.detail());
        o.addProperty("body", "");
        o.addProperty("errors", e.detail());
        send(ex, e.status(), o);
    }
}
