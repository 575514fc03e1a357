package org.diffusej.bridge;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import org.diffusej.engine.weights.StrictJson;

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
    /** Deepest nesting of arrays/objects a request body may have (A1111 payloads use about 5). */
    static final int MAX_DEPTH = 32;
    private static final int MAX_DETAIL_CHARS = 2000;

    private HttpIO() { }

    /**
     * Refuses a POST that cannot be read safely before it is routed: no {@code Content-Length} and not chunked
     * (411; it would otherwise run as an empty request), or a body that is not JSON (415: a web page can send
     * {@code text/plain} without asking first). An empty body needs no content type.
     */
    static void checkPostHeaders(HttpExchange ex) throws ApiException {
        Headers h = ex.getRequestHeaders();
        String length = h.getFirst("Content-Length");
        String te = h.getFirst("Transfer-Encoding");
        boolean chunked = te != null && te.trim().equalsIgnoreCase("chunked");
        if (length == null && !chunked)
            throw new ApiException(411, "LengthRequired", "A POST needs a Content-Length header (0 for no body).");
        if (!chunked && length.trim().equals("0")) return;
        String type = h.getFirst("Content-Type");
        if (!isJson(type))
            throw new ApiException(415, "UnsupportedMediaType", "The request body must be JSON sent with "
                    + "'Content-Type: application/json', not " + (type == null ? "no content type" : "'" + OriginPolicy.quote(type) + "'") + ".");
    }

    /** {@code application/json}, optionally with {@code charset=utf-8}. */
    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        String[] parts = contentType.toLowerCase(java.util.Locale.ROOT).split(";");
        if (!parts[0].trim().equals("application/json")) return false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().replace("\"", "");
            if (p.startsWith("charset=") && !p.equals("charset=utf-8")) return false;
        }
        return true;
    }

    /**
     * The body, refused with 413 when it is (or turns out to be) larger than {@code maxBytes}, and with 400 when the
     * connection ends before the declared {@code Content-Length} (a truncated request is never executed).
     */
    static byte[] readBody(HttpExchange ex, long maxBytes) throws ApiException, IOException {
        String declaredHeader = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (declaredHeader != null) {
            try {
                declared = Long.parseLong(declaredHeader.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length is not a number: " + OriginPolicy.quote(declaredHeader));
            }
            if (declared > maxBytes) throw tooLarge(maxBytes);
        }
        try (InputStream in = ex.getRequestBody(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
                if (total > maxBytes) throw tooLarge(maxBytes);
                out.write(buf, 0, n);
            }
            if (declared >= 0 && total < declared)
                throw ApiException.badRequest("The request body ended after " + total + " of " + declared
                        + " bytes (Content-Length); nothing was done.");
            return out.toByteArray();
        }
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "PayloadTooLarge", "The request body is larger than this server accepts ("
                + (maxBytes >= 1024 * 1024 ? (maxBytes / (1024 * 1024)) + " MiB" : maxBytes + " bytes") + "); send smaller images.");
    }

    /**
     * The body as a JSON object: strict JSON (RFC 8259), nested at most {@value #MAX_DEPTH} deep; malformed JSON is a
     * 400 that says where it broke.
     */
    static JsonObject readJsonObject(HttpExchange ex, long maxBytes) throws ApiException, IOException {
        byte[] body = readBody(ex, maxBytes);
        if (body.length == 0) return new JsonObject();
        return parseObject(new String(body, StandardCharsets.UTF_8));
    }

    /** Parses a request body (see {@link #readJsonObject}). */
    static JsonObject parseObject(String text) throws ApiException {
        JsonElement e;
        try {
            e = StrictJson.parse(text, MAX_DEPTH);
        } catch (JsonParseException x) {
            throw new ApiException(400, "JSONDecodeError", "The request body is not valid JSON: " + x.getMessage() + ".");
        }
        if (!e.isJsonObject()) throw new ApiException(400, "JSONDecodeError", "The request body must be a JSON object.");
        return e.getAsJsonObject();
    }

    /** Query parameters (last value wins); a malformed %-escape is a 400. */
    static Map<String, String> query(HttpExchange ex) throws ApiException {
        Map<String, String> out = new HashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return out;
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("The query string has a malformed %-escape: " + OriginPolicy.quote(pair));
            }
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

    /** An answer without a body (204 to a CORS preflight). */
    static void sendEmpty(HttpExchange ex, int status) {
        try {
            ex.sendResponseHeaders(status, -1);
        } catch (IOException gone) {
            // The client disconnected.
        } finally {
            ex.close();
        }
    }

    /** An error in A1111's shape: {@code {"error", "detail", "body", "errors"}}; the detail is capped at 2000 characters. */
    static void sendError(HttpExchange ex, ApiException e) {
        String detail = e.detail() == null ? "" : e.detail();
        if (detail.length() > MAX_DETAIL_CHARS) detail = detail.substring(0, MAX_DETAIL_CHARS) + "…";
        JsonObject o = new JsonObject();
        o.addProperty("error", e.error());
        o.addProperty("detail", detail);
        o.addProperty("body", "");
        o.addProperty("errors", detail);
        send(ex, e.status(), o);
    }
}
