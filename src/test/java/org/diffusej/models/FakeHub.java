package org.diffusej.models;

import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Hugging Face Hub stand-in for {@link okhttp3.mockwebserver.MockWebServer}: {@code /<repo>/resolve/main/<file>}
 * answers like the Hub for LFS files (302 to a CDN path with {@code X-Linked-Etag}/{@code X-Linked-Size}), the CDN
 * path serves the bytes with Range support, and a queue of misbehaviours is applied to CDN requests in order.
 */
public final class FakeHub extends Dispatcher {
    /** How the next CDN request is answered. */
    public enum Behaviour { NORMAL, DROP_MID_BODY, IGNORE_RANGE, STALL, ERROR_500, ERROR_503 }

    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final Map<String, String> linkedEtags = new ConcurrentHashMap<>();
    final List<RecordedRequest> cdnRequests = new CopyOnWriteArrayList<>();
    final List<RecordedRequest> resolveRequests = new CopyOnWriteArrayList<>();
    private final Deque<Behaviour> behaviours = new ArrayDeque<>();
    volatile int resolveStatus = 0; // non-zero: every resolve request gets this status
    volatile long throttleBytesPerSecond = 0;

    synchronized void then(Behaviour... bs) { behaviours.addAll(List.of(bs)); }

    private synchronized Behaviour next() { return behaviours.isEmpty() ? Behaviour.NORMAL : behaviours.poll(); }

    /** Serves {@code bytes} as {@code repo}'s {@code path}; the Hub reports their SHA-256 unless told otherwise. */
    public void put(String repo, String path, byte[] bytes) {
        files.put(repo + "/" + path, bytes);
        linkedEtags.put(repo + "/" + path, sha(bytes));
    }

    static String sha(byte[] bytes) {
        java.security.MessageDigest d = Sha256.newDigest();
        return Sha256.hex(d.digest(bytes));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getRequestUrl().encodedPath().substring(1);
        if (path.startsWith("cdn/")) return cdn(request, path.substring(4));
        resolveRequests.add(request);
        if (resolveStatus != 0) return new MockResponse().setResponseCode(resolveStatus);
        String key = path.replaceFirst("/resolve/[^/]+/", "/");
        byte[] bytes = files.get(key);
        if (bytes == null) return new MockResponse().setResponseCode(404);
        return new MockResponse().setResponseCode(302)
                // another host name for the same server, like the Hub's CDN
                .setHeader("Location", "http://127.0.0.1:" + request.getRequestUrl().port() + "/cdn/" + key + "?sig=1")
                .setHeader("X-Linked-Etag", "\"" + linkedEtags.get(key) + "\"")
                .setHeader("X-Linked-Size", String.valueOf(bytes.length));
    }

    private MockResponse cdn(RecordedRequest request, String key) {
        cdnRequests.add(request);
        if (request.getHeader("Authorization") != null) return new MockResponse().setResponseCode(400);
        byte[] bytes = files.get(key);
        Behaviour b = next();
        switch (b) {
            case ERROR_500: return new MockResponse().setResponseCode(500);
            case ERROR_503: return new MockResponse().setResponseCode(503);
            default: break;
        }
        long from = 0;
        String range = request.getHeader("Range");
        if (range != null && b != Behaviour.IGNORE_RANGE) from = Long.parseLong(range.replaceAll("bytes=(\\d+)-", "$1"));
        Buffer body = new Buffer().write(bytes, (int) from, (int) (bytes.length - from));
        MockResponse r = new MockResponse().setBody(body);
        if (from > 0)
            r.setResponseCode(206).setHeader("Content-Range",
                    "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        if (b == Behaviour.DROP_MID_BODY) r.setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY);
        if (b == Behaviour.STALL) r.throttleBody(1024, 1, TimeUnit.SECONDS); // 1 KB, then silence for a second
        else if (throttleBytesPerSecond > 0) r.throttleBody(throttleBytesPerSecond / 10, 100, TimeUnit.MILLISECONDS);
        return r;
    }
}
