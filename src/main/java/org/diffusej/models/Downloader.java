package org.diffusej.models;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches files from Hugging Face {@code resolve} URLs into the cache: resumable ({@code .part} + {@code Range}),
 * checked (SHA-256 from the catalog or the Hub's LFS object id) before an atomic rename, retried with backoff on
 * timeouts and server errors, locked so that two processes never write the same file.
 */
public final class Downloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long PROGRESS_INTERVAL_NS = 100_000_000L;
    private static final int MAX_REDIRECTS = 10;

    private final HttpUrl endpoint;
    private final String token;
    private final OkHttpClient client;
    private final int maxAttempts;
    private final Duration backoff;
    private final FreeSpaceProbe freeSpace;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    private Downloader(Builder b) {
        HttpUrl url = HttpUrl.parse(b.endpoint);
        if (url == null) throw new IllegalArgumentException("not an http(s) URL: " + b.endpoint);
        this.endpoint = url;
        this.token = b.token;
        this.maxAttempts = b.maxAttempts;
        this.backoff = b.backoff;
        this.freeSpace = b.freeSpace;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.client = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout).readTimeout(b.readTimeout).writeTimeout(b.readTimeout)
                .followRedirects(false).followSslRedirects(false) // redirects are followed by hand, see open()
                .retryOnConnectionFailure(false)
                .build();
    }

    public static Builder builder() { return new Builder(); }

    /** A downloader for the given settings' endpoint and token, with default timeouts and retries. */
    public static Downloader forSettings(ModelSettings s) {
        return builder().endpoint(s.endpoint()).token(s.token()).build();
    }

    /** The {@code resolve} URL of a file in a repository. */
    public String url(String repo, String revision, String path) {
        return endpoint.newBuilder().addPathSegments(repo).addPathSegment("resolve").addPathSegment(revision)
                .addPathSegments(path).build().toString();
    }

    /**
     * Downloads one file to {@code target} unless it is already there. Waits while another thread or process
     * downloads the same file, then uses its result.
     */
    public Path download(String repo, String revision, CatalogFile file, Path target, DownloadListener listener,
                         CancellationToken token) throws DiffusionException {
        String url = url(repo, revision, file.path());
        try (DownloadLock lock = DownloadLock.acquire(target, token,
                () -> listener.onProgress(new DownloadProgress(file.path(), 0, file.size(), 0, -1, false)))) {
            if (Files.isRegularFile(target)) return target;
            return fetchWithRetries(url, file, target, listener, token);
        } catch (IOException e) {
            throw new ModelDownloadException("Cannot write " + target + ": " + e.getMessage() + ".", e);
        }
    }

    private Path fetchWithRetries(String url, CatalogFile file, Path target, DownloadListener listener,
                                  CancellationToken token) throws DiffusionException, IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        if (file.size() >= 0) checkFreeSpace(file, target, file.size() - sizeOf(part));
        for (int attempt = 1; ; attempt++) {
            token.check();
            try {
                return fetchOnce(url, file, target, part, listener, token);
            } catch (RetryableFailure failure) {
                if (attempt >= maxAttempts)
                    throw new ModelDownloadException("Downloading " + file.path() + " from " + url + " failed "
                            + maxAttempts + " times (last: " + failure.getMessage() + "); run the same command "
                            + "again later to resume where it stopped.", failure.getCause());
                sleep(backoff.multipliedBy(1L << Math.min(attempt - 1, 6)), token);
            }
        }
    }

    private Path fetchOnce(String url, CatalogFile file, Path target, Path part, DownloadListener listener,
                           CancellationToken token) throws DiffusionException, IOException, RetryableFailure {
        long have = sizeOf(part);
        Opened opened = open(url, have, file, target);
        try (Response response = opened.response) {
            int code = response.code();
            ResponseBody body = Objects.requireNonNull(response.body());
            long total;
            if (code == 206) {
                Matcher m = CONTENT_RANGE.matcher(Objects.toString(response.header("Content-Range"), ""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    Files.deleteIfExists(part);
                    throw new RetryableFailure("the server resumed at the wrong offset", null);
                }
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else {
                have = 0; // 200: the server ignored Range (or there was nothing to resume): start over
                total = body.contentLength();
            }
            if (file.size() >= 0) total = file.size();
            else if (opened.linkedSize >= 0) total = opened.linkedSize;
            String expectedSha = file.sha256() != null ? file.sha256()
                    : Sha256.isHex(opened.linkedEtag) ? opened.linkedEtag.toLowerCase(java.util.Locale.ROOT) : null;
            if (total >= 0) checkFreeSpace(file, target, total - have);

            MessageDigest digest = Sha256.newDigest();
            if (have > 0) Sha256.update(digest, part);
            long done = copy(body, part, have, total, digest, file, listener, token);
            if (total >= 0 && done != total)
                throw new RetryableFailure("the connection ended after " + done + " of " + total + " bytes", null);

            String actual = Sha256.hex(digest.digest());
            if (expectedSha != null && !expectedSha.equals(actual)) {
                Files.deleteIfExists(part);
                throw new ChecksumMismatchException("The download of " + file.path() + " from " + url
                        + " is corrupt (SHA-256 " + actual + ", expected " + expectedSha + "); it was deleted and "
                        + "not used: try again, and if it happens again the server or mirror serves a wrong file.");
            }
            Files.writeString(ModelCache.recordedHashFile(target), actual + "\n", StandardCharsets.US_ASCII);
            moveIntoPlace(part, target);
            listener.onProgress(new DownloadProgress(file.path(), done, done, 0, 0, true));
            return target;
        }
    }

    /** Streams the body into {@code part} (appending after {@code have} bytes); returns the bytes now on disk. */
    private long copy(ResponseBody body, Path part, long have, long total, MessageDigest digest, CatalogFile file,
                      DownloadListener listener, CancellationToken token)
            throws IOException, RetryableFailure, CancelledException {
        long done = have;
        long start = System.nanoTime();
        long lastReport = 0;
        byte[] buf = new byte[1 << 16];
        StandardOpenOption mode = have > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (InputStream in = body.byteStream();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                digest.update(buf, 0, n);
                done += n;
                long now = System.nanoTime();
                if (now - lastReport > PROGRESS_INTERVAL_NS) {
                    lastReport = now;
                    double rate = (done - have) / Math.max(1e-9, (now - start) / 1e9);
                    double eta = total >= 0 && rate > 0 ? (total - done) / rate : -1;
                    listener.onProgress(new DownloadProgress(file.path(), done, total, rate, eta, false));
                    token.check();
                }
            }
        } catch (IOException e) {
            throw new RetryableFailure(describe(e), e); // what arrived stays in .part for the next attempt
        }
        return done;
    }

    /** Sends the request and follows redirects by hand, keeping the Hub's LFS headers from the redirect. */
    private Opened open(String url, long have, CatalogFile file, Path target)
            throws DiffusionException, RetryableFailure {
        HttpUrl current = HttpUrl.get(url);
        String linkedEtag = null;
        long linkedSize = -1;
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                Request.Builder rb = new Request.Builder().url(current).header("User-Agent", "DiffuseJ");
                if (token != null && current.host().equals(endpoint.host()))
                    rb.header("Authorization", "Bearer " + token); // never hand the token to a CDN
                if (have > 0) rb.header("Range", "bytes=" + have + "-");
                Response r = client.newCall(rb.build()).execute();
                if (r.isRedirect()) {
                    String etag = r.header("X-Linked-Etag");
                    if (etag != null) linkedEtag = etag.replace("W/", "").replace("\"", "").trim();
                    String size = r.header("X-Linked-Size");
                    if (size != null) linkedSize = parseLong(size);
                    HttpUrl next = r.header("Location") == null ? null : current.resolve(r.header("Location"));
                    r.close();
                    if (next == null) throw new RetryableFailure("a redirect without a location", null);
                    current = next;
                    continue;
                }
                if (r.isSuccessful()) return new Opened(r, linkedEtag, linkedSize);
                int code = r.code();
                r.close();
                throw failureFor(code, url, have, file, target);
            }
            throw new ModelDownloadException("Too many redirects for " + url + ".");
        } catch (UnknownHostException | ConnectException | NoRouteToHostException e) {
            throw ModelOfflineException.forFile(file.path(), url, target.getParent(),
                    "no connection to " + current.host(), e);
        } catch (IOException e) {
            throw new RetryableFailure(describe(e), e);
        }
    }

    private RetryableFailure failureFor(int code, String url, long have, CatalogFile file, Path target)
            throws DiffusionException {
        String repoPage = url.substring(0, url.indexOf("/resolve/"));
        switch (code) {
            case 401:
                throw new ModelDownloadException(token == null
                        ? "The server refused " + url + " without a Hugging Face access token (401): create a token "
                        + "at https://huggingface.co/settings/tokens, accept the model's terms at " + repoPage
                        + ", and set it in the HF_TOKEN environment variable."
                        : "The server rejected the access token from HF_TOKEN for " + url + " (401): check that the "
                        + "token is valid and not expired (https://huggingface.co/settings/tokens).");
            case 403:
                throw new ModelDownloadException("Access to " + url + " is denied (403): open " + repoPage
                        + " and accept its terms with the account whose token is in HF_TOKEN, then try again.");
            case 404:
                throw new ModelNotAvailableException("The server has no file at " + url + " (404): the repository "
                        + "or file was moved or removed; download the model yourself and pass its path with --model.");
            case 416:
                try {
                    Files.deleteIfExists(target.resolveSibling(target.getFileName() + ".part"));
                } catch (IOException ignored) {
                    // the next attempt truncates it anyway
                }
                return new RetryableFailure("the server could not resume at byte " + have, null);
            default:
                if (code == 408 || code == 429 || code >= 500) return new RetryableFailure("HTTP " + code, null);
                throw new ModelDownloadException("The server answered HTTP " + code + " for " + url + ".");
        }
    }

    private void checkFreeSpace(CatalogFile file, Path target, long needed) throws IOException, DiffusionException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        long free = freeSpace.usableBytes(dir);
        if (needed > free)
            throw new NotEnoughDiskSpaceException("Not enough disk space for " + file.path() + ": it needs "
                    + gigabytes(needed) + " but " + dir.toAbsolutePath() + " has " + gigabytes(free)
                    + " free; free some space or set DIFFUSEJ_HOME to a folder on a larger disk.");
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void sleep(Duration d, CancellationToken token) throws CancelledException {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < until) {
                token.check();
                Thread.sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        }
    }

    private static long sizeOf(Path p) throws IOException {
        return Files.isRegularFile(p) ? Files.size(p) : 0;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String gigabytes(long bytes) {
        return bytes >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /**
     * What went wrong, as a sentence for the user (no Java class names): a timeout says which wait ran out and for how
     * long; other I/O failures say the connection broke, with the library's detail if it gave one.
     */
    private String describe(IOException e) {
        String detail = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException && detail.equals("timeout")) {
            if (detail.toLowerCase(java.util.Locale.ROOT).contains("connect"))
                return "the server did not accept the connection within " + seconds(connectTimeout);
            return "the server stopped sending data for " + seconds(readTimeout);
        }
        return detail.isBlank() ? "the connection broke" : "the connection broke (" + detail + ")";
    }

    private static String seconds(Duration d) {
        String n = java.math.BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
        return n + (n.equals("1") ? " second" : " seconds");
    }

    private record Opened(Response response, String linkedEtag, long linkedSize) { }

    /** A failure worth another attempt (timeouts, dropped connections, 5xx). */
    private static final class RetryableFailure extends Exception {
        RetryableFailure(String message, Throwable cause) { super(message, cause); }
    }

    /** Options of a {@link Downloader}. */
    public static final class Builder {
        private String endpoint = ModelSettings.DEFAULT_ENDPOINT;
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private int maxAttempts = 5;
        private Duration backoff = Duration.ofSeconds(1);
        private FreeSpaceProbe freeSpace = FreeSpaceProbe.FILE_STORE;

        public Builder endpoint(String v) { endpoint = v; return this; }
        public Builder token(String v) { token = v == null || v.isBlank() ? null : v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        /** Longest silence within a response before the attempt counts as stalled. */
        public Builder readTimeout(Duration v) { readTimeout = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = Math.max(1, v); return this; }
        /** First wait between attempts; doubles each time. */
        public Builder backoff(Duration v) { backoff = v; return this; }
        public Builder freeSpaceProbe(FreeSpaceProbe v) { freeSpace = v; return this; }
        public Downloader build() { return new Downloader(this); }
    }
}
