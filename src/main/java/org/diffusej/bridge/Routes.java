package org.diffusej.bridge;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The bridge's endpoints: method + path (exact, or a prefix ending in '/') to a handler. */
final class Routes {

    /** An answer: status and JSON body. */
    record Reply(int status, JsonElement body) {
        static Reply ok(JsonElement body) { return new Reply(200, body == null ? JsonNull.INSTANCE : body); }
    }

    /** One endpoint's logic; {@link ApiException}s become A1111-shaped errors. */
    @FunctionalInterface
    interface Handler {
        Reply handle(HttpExchange ex) throws ApiException, IOException, InterruptedException;
    }

    /** One endpoint as {@code /openapi.json} describes it; a path ending in '/' is a prefix. */
    record Entry(String method, String path, String summary) { }

    private final Map<String, Map<String, Handler>> byPath = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    Routes add(String method, String path, Handler h) {
        return add(method, path, null, h);
    }

    /** Adds an endpoint with a one-line summary for {@code /openapi.json}. */
    Routes add(String method, String path, String summary, Handler h) {
        byPath.computeIfAbsent(path, k -> new LinkedHashMap<>()).put(method, h);
        entries.add(new Entry(method, path, summary));
        return this;
    }

    /** Every endpoint, in the order added. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The handler for a request, or a 404/405 explaining what exists. */
    Handler find(String method, String path) throws ApiException {
        Map<String, Handler> methods = byPath.get(path);
        if (methods == null)
            for (Map.Entry<String, Map<String, Handler>> e : byPath.entrySet())
                if (e.getKey().endsWith("/") && path.startsWith(e.getKey())) { methods = e.getValue(); break; }
        if (methods == null) throw ApiException.notFound("No endpoint " + path + " on this server.");
        Handler h = methods.get(method);
        if (h == null)
            throw new ApiException(405, "MethodNotAllowed", path + " accepts " + String.join(", ", new TreeSet<>(methods.keySet())) + ", not " + method + ".");
        return h;
    }
}
