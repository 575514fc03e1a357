package org.diffusej.bridge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.diffusej.diagnostics.SystemCheck;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.Result;
import org.diffusej.models.ModelSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Krita bridge: an HTTP server around one {@link DiffusionEngine} that speaks a subset of the AUTOMATIC1111
 * {@code /sdapi/v1} API plus DiffuseJ's job API ({@link NativeApi}). Binds 127.0.0.1:7860 by default; another
 * address needs {@link Builder#allowRemote} and then Basic authentication. One generation at a time, a bounded queue.
 * Browsers are kept out by {@link OriginPolicy}; request threads, header time and bodies are bounded.
 *
 * <pre>
 * BridgeServer server = BridgeServer.builder(ModelProvider.shared(engine)).port(7860).build().start();
 * ...
 * server.stop();
 * </pre>
 */
public final class BridgeServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BridgeServer.class.getName());
    /** Request threads: enough for the blocking generate calls and long polls of a few clients. */
    static final int HTTP_THREADS = 32;

    static {
        // The JDK server reads these once, when its first server is made in this JVM; settings given with -D win.
        setIfAbsent("sun.net.httpserver.maxReqTime", "30");       // seconds to send request line, headers and body
        setIfAbsent("sun.net.httpserver.idleInterval", "30");     // seconds an idle keep-alive connection is kept
        setIfAbsent("jdk.httpserver.maxConnections", "256");       // open connections at once (JDK 17.0.3+)
    }

    private static void setIfAbsent(String key, String value) {
        try {
            if (System.getProperty(key) == null) System.setProperty(key, value);
        } catch (SecurityException e) {
            LOG.warning("cannot set " + key + ": " + e.getMessage());
        }
    }

    private final ModelProvider models;
    private final String host;
    private final int requestedPort;
    private final BasicAuth auth;
    private final long maxBodyBytes;
    private final ImageCodec codec;
    private final int queueCapacity;
    private final boolean ownsModels;
    private final SystemCheck systemCheck;
    private final java.util.function.Supplier<org.diffusej.engine.lora.LoraLibrary> loras;
    private final VaeFolders vaes;
    private final OriginPolicy origins;
    private final Routes routes = new Routes();
    private final com.google.gson.JsonObject flags = new com.google.gson.JsonObject();
    private HttpServer http;
    private volatile int boundPort;
    private ExecutorService executor;
    private JobQueue queue;

    private BridgeServer(Builder b) {
        this.models = b.models;
        this.host = b.host;
        this.requestedPort = b.port;
        this.auth = b.auth;
        this.maxBodyBytes = b.maxBodyBytes;
        this.codec = new ImageCodec(b.maxImageSide);
        this.queueCapacity = b.queueCapacity;
        this.ownsModels = b.closeModelsOnStop;
        this.systemCheck = b.systemCheck;
        this.loras = b.loras;
        this.vaes = b.vaes;
        this.origins = b.origins;
        new SdApi(this).register(routes);
        new SdApiInfo(this, routes).register();
        new SdApiExtras(this).register(routes);
        new NativeApi(this).register(routes);
        flags.addProperty("api", true);
        flags.addProperty("nowebui", true);
        flags.addProperty("listen", b.allowRemote);
        flags.addProperty("server_name", b.host);
        flags.addProperty("port", b.port);
        flags.addProperty("api_auth", b.auth == null ? null : "***");  // never the credentials themselves
        flags.addProperty("cors_allow_origins", b.corsOrigins.isEmpty() ? null : String.join(",", b.corsOrigins));
        flags.addProperty("cors_allow_origins_regex", b.corsRegex);
        flags.addProperty("max_body_bytes", b.maxBodyBytes);
        flags.addProperty("max_image_side", b.maxImageSide);
        flags.addProperty("queue_capacity", b.queueCapacity);
    }

    /** A builder with the defaults: 127.0.0.1, port 7860, no auth, 64 MiB bodies, 2048 px per side, 4 waiting jobs. */
    public static Builder builder(ModelProvider models) {
        return new Builder(models);
    }

    /** Binds and starts serving; throws if the port is taken. */
    public synchronized BridgeServer start() throws IOException {
        if (http != null) throw new IllegalStateException("already started");
        queue = new JobQueue(models::engine, queueCapacity, BridgeServer::encodeImages,
                m -> LoraListing.withoutFolders(m, loras.get()));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), requestedPort), 64);
        // A fixed pool: slow or many clients wait in line (bounded by maxConnections) instead of adding threads.
        executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            Thread t = new Thread(r, "diffusej-bridge-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::dispatch);
        boundPort = http.getAddress().getPort();
        http.start();
        LOG.info("DiffuseJ bridge listening on " + url());
        return this;
    }

    /** Stops accepting, interrupts the running job, drops waiting ones; closes the models only if built to. */
    public synchronized void stop() {
        if (http == null) return;
        queue.close();
        http.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsModels) models.close();
        http = null;
    }

    @Override
    public void close() { stop(); }

    public synchronized boolean isRunning() { return http != null; }

    /** The bound port (useful with port 0). */
    public synchronized int port() {
        if (http == null) throw new IllegalStateException("not started");
        return http.getAddress().getPort();
    }

    /** {@code http://host:port} as clients reach it. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port();
    }

    ModelProvider models() { return models; }
    JobQueue queue() { return queue; }
    ImageCodec codec() { return codec; }

    /**
     * Width and height of a txt2img request that gives none: the loaded model's own size (1024 for SDXL, 768 for
     * SD 2.x v-models, 512 for SD 1.x and Turbo), or A1111's API default 512 while no model is loaded.
     */
    int defaultSize() {
        org.diffusej.engine.ModelInfo loaded = models().loadedModel();
        return loaded == null ? A1111Request.A1111_DEFAULT_SIZE : loaded.defaultSize();
    }
    long maxBodyBytes() { return maxBodyBytes; }
    SystemCheck systemCheck() { return systemCheck; }
    /** The LoRA library listed now (Fiji's may change while the server runs). */
    org.diffusej.engine.lora.LoraLibrary loras() { return loras.get(); }

    VaeFolders vaes() { return vaes; }
    Routes routes() { return routes; }

    /** A1111's {@code cmd-flags}: how this server was started, in A1111's flag names where they exist. */
    com.google.gson.JsonObject flags() {
        com.google.gson.JsonObject o = flags.deepCopy();
        if (http != null) o.addProperty("port", port());
        return o;
    }

    private void dispatch(HttpExchange ex) {
        try {
            origins.check(ex, boundPort);
            if (ex.getRequestMethod().equals("OPTIONS")) {
                origins.preflight(ex, boundPort);
                HttpIO.sendEmpty(ex, 204);
                return;
            }
            origins.addCorsHeaders(ex);
            if (auth != null && !auth.accepts(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic");
                throw new ApiException(401, "Unauthorized", "Incorrect username or password.");
            }
            if (ex.getRequestMethod().equals("POST")) HttpIO.checkPostHeaders(ex);
            Routes.Reply reply = routes.find(ex.getRequestMethod(), ex.getRequestURI().getPath()).handle(ex);
            HttpIO.send(ex, reply.status(), reply.body());
        } catch (IOException e) {
            ex.close(); // the client went away while sending
        } catch (Throwable e) { // NOPMD: no failure may leave a request unanswered or the server broken
            if (!(e instanceof ApiException) && !(e instanceof InterruptedException))
                LOG.log(Level.SEVERE, "bridge request failed: " + ex.getRequestURI().getPath(), e);
            HttpIO.sendError(ex, ErrorReplies.of(e));
        }
    }

    private static List<String> encodeImages(Result r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i++)
            out.add(ImageCodec.pngBase64(r.images().get(i), i < r.infotexts().size() ? r.infotexts().get(i) : null));
        return out;
    }

    /** Settings for a {@link BridgeServer}; {@link #build()} checks they are safe together. */
    public static final class Builder {
        private final ModelProvider models;
        private String host = "127.0.0.1";
        private int port = 7860;
        private boolean allowRemote;
        private BasicAuth auth;
        private long maxBodyBytes = 64L * 1024 * 1024;
        private int maxImageSide = 2048;
        private int queueCapacity = 4;
        private boolean closeModelsOnStop;
        private SystemCheck systemCheck = SystemCheck.standard(ModelSettings::fromEnvironment);
        private java.util.function.Supplier<org.diffusej.engine.lora.LoraLibrary> loras =
                org.diffusej.engine.lora.LoraLibrary::empty;
        private VaeFolders vaes = VaeFolders.empty();
        private List<String> corsOrigins = List.of();
        private String corsRegex;
        private OriginPolicy origins;

        private Builder(ModelProvider models) {
            this.models = java.util.Objects.requireNonNull(models, "models");
        }

        /** Address to bind; anything but loopback also needs {@link #allowRemote(boolean)} and {@link #auth(String)}. */
        public Builder host(String v) { host = v; return this; }
        /** Port; 0 picks a free one. */
        public Builder port(int v) { port = v; return this; }
        public Builder allowRemote(boolean v) { allowRemote = v; return this; }
        /** {@code user:pass} (A1111's {@code --api-auth}), or null for none. */
        public Builder auth(String userColonPass) { auth = userColonPass == null ? null : BasicAuth.parse(userColonPass); return this; }
        public Builder maxBodyBytes(long v) { maxBodyBytes = v; return this; }
        public Builder maxImageSide(int v) { maxImageSide = v; return this; }
        /** Jobs that may wait behind the running one before 429. */
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        /** Close the model provider on {@link #stop()} (the CLI's own models: yes; Fiji's shared engine: no). */
        public Builder closeModelsOnStop(boolean v) { closeModelsOnStop = v; return this; }
        /** What {@code GET /diffusej/v1/doctor} reports (default: the standard check with the environment's settings). */
        public Builder systemCheck(SystemCheck v) { systemCheck = java.util.Objects.requireNonNull(v); return this; }

        /**
         * The LoRAs {@code /sdapi/v1/loras} lists (default none). Prompt tags are resolved by the model's own library,
         * so give the same one the models were loaded with.
         */
        public Builder loras(java.util.function.Supplier<org.diffusej.engine.lora.LoraLibrary> v) {
            loras = java.util.Objects.requireNonNull(v);
            return this;
        }

        /** The VAE files {@code /sdapi/v1/sd-vae} lists and {@code sd_vae} selects (default none). */
        public Builder vaes(VaeFolders v) {
            vaes = java.util.Objects.requireNonNull(v);
            return this;
        }

        /** Web pages (origins such as {@code http://localhost:3000}) allowed to call the server (A1111's flag). */
        public Builder corsAllowOrigins(List<String> v) { corsOrigins = List.copyOf(v); return this; }
        /** A1111's comma list form of {@link #corsAllowOrigins(List)}; null or blank is none. */
        public Builder corsAllowOrigins(String commaList) { return corsAllowOrigins(OriginPolicy.parseList(commaList)); }
        /** Origins allowed when this regular expression matches the whole origin; null for none. */
        public Builder corsAllowOriginsRegex(String v) { corsRegex = v; return this; }

        public BridgeServer build() {
            boolean loopback;
            try {
                loopback = InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("Unknown host to bind: " + host, e);
            }
            if (!loopback && !allowRemote)
                throw new IllegalArgumentException("Binding " + host + " exposes the server beyond this computer; "
                        + "allow it explicitly (--listen) and set a user and password (--api-auth user:pass).");
            if (!loopback && auth == null)
                throw new IllegalArgumentException("Binding " + host + " needs authentication: set --api-auth user:pass.");
            if (maxBodyBytes <= 0 || maxImageSide <= 0 || queueCapacity < 0)
                throw new IllegalArgumentException("limits must be positive");
            origins = new OriginPolicy(corsOrigins, corsRegex, loopback);
            return new BridgeServer(this);
        }
    }
}
