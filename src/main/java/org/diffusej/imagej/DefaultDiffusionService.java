package org.diffusej.imagej;

import ij.IJ;
import java.util.concurrent.Callable;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.prefs.PrefService;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/**
 * The default {@link DiffusionService}: one engine per context, loaded lazily, DJL kept offline and pointed at
 * this plugin's class loader (inside Fiji, DJL's ServiceLoader does not see engines under the plugin class
 * loader unless the thread's context class loader is set to it).
 */
@Plugin(type = Service.class)
public class DefaultDiffusionService extends AbstractService implements DiffusionService {

    private static final String PREF_MODEL = "model", PREF_DEVICE = "device", PREF_PRECISION = "precision",
            PREF_LORAS = "loras",
            PREF_TAESD = "taesd", PREF_VAE = "vae";

    @Parameter(required = false)
    private LogService log;

    @Parameter(required = false)
    private PrefService prefs;

    private final Object lock = new Object();
    // Written under lock; read without it, so dialogs asking what is loaded never wait for a running generation.
    private volatile EngineSettings settings;
    private EngineFactory factory = new PipelineEngineFactory();
    private volatile DiffusionEngine engine;
    private volatile CancellationToken running;

    // -- Service methods --

    @Override
    public void initialize() {
        // Models come from the DiffuseJ catalog/cache, never from DJL's own model zoo downloads.
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        settings = prefs == null ? EngineSettings.DEFAULT : new EngineSettings(
                prefs.get(DiffusionService.class, PREF_MODEL, EngineSettings.DEFAULT.model()),
                prefs.get(DiffusionService.class, PREF_DEVICE, EngineSettings.DEFAULT.device()),
                prefs.get(DiffusionService.class, PREF_PRECISION, EngineSettings.DEFAULT.precision()),
                prefs.get(DiffusionService.class, PREF_LORAS, EngineSettings.DEFAULT.loras()),
                prefs.get(DiffusionService.class, PREF_TAESD, ""),
                prefs.get(DiffusionService.class, PREF_VAE, ""));
    }

    @Override
    public void dispose() {
        unload();
    }

    // -- DiffusionService methods --

    @Override
    public EngineSettings settings() {
        return settings;
    }

    @Override
    public void configure(EngineSettings newSettings) {
        synchronized (lock) {
            if (!newSettings.sameModel(settings)
                    || engine != null && !newSettings.loras().equals(settings.loras())
                    && !factory.useLoras(engine, newSettings.loraLibrary())) closeEngine();
            settings = newSettings;
        }
        if (prefs != null) {
            prefs.put(DiffusionService.class, PREF_LORAS, newSettings.loras());
            prefs.put(DiffusionService.class, PREF_MODEL, newSettings.model());
            prefs.put(DiffusionService.class, PREF_DEVICE, newSettings.device());
            prefs.put(DiffusionService.class, PREF_PRECISION, newSettings.precision());
            prefs.put(DiffusionService.class, PREF_TAESD, newSettings.taesd());
            prefs.put(DiffusionService.class, PREF_VAE, newSettings.vae());
        }
    }

    @Override
    public void setEngineFactory(EngineFactory newFactory) {
        synchronized (lock) {
            closeEngine();
            factory = newFactory;
        }
    }

    @Override
    public boolean isLoaded() {
        return engine != null;
    }

    @Override
    public ModelInfo model() throws DiffusionException {
        synchronized (lock) { return loaded().model(); }
    }

    @Override
    public Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException {
        synchronized (lock) {
            return run(loaded(), request, listener, token);
        }
    }

    @Override
    public void cancelRunning() {
        CancellationToken t = running;
        if (t != null) t.cancel();
    }

    @Override
    public void unload() {
        cancelRunning();
        synchronized (lock) { closeEngine(); }
    }

    @Override
    public DiffusionEngine sharedEngine() {
        return new DiffusionEngine() {
            @Override
            public Result generate(Request r, ProgressListener l, CancellationToken t) throws DiffusionException {
                return DefaultDiffusionService.this.generate(r, l, t);
            }

            @Override
            public ModelInfo model() {
                try {
                    return DefaultDiffusionService.this.model();
                } catch (DiffusionException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            @Override
            public void close() { } // the service owns the engine
        };
    }

    // -- Helper methods --

    /** The engine, loading it under the plugin class loader if needed. Call with {@code lock} held. */
    private DiffusionEngine loaded() throws DiffusionException {
        if (engine == null) {
            EngineSettings s = settings;
            String loading = "DiffuseJ: loading model " + s.model() + " (device " + s.device() + ", precision " + s.precision() + ")";
            IJ.showStatus(loading);
            if (log != null) log.debug(loading);
            engine = withPluginClassLoader(() -> factory.open(s));
        }
        return engine;
    }

    /** Runs one generation as the cancellable running one. Call with {@code lock} held. */
    private Result run(DiffusionEngine e, Request request, ProgressListener listener, CancellationToken token)
            throws DiffusionException {
        running = token;
        try {
            return withPluginClassLoader(() -> e.generate(request, listener, token));
        } finally {
            running = null;
        }
    }

    private void closeEngine() {
        if (engine != null) {
            DiffusionEngine e = engine;
            engine = null;
            e.close();
        }
    }

    private static <T> T withPluginClassLoader(Callable<T> work) throws DiffusionException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(DefaultDiffusionService.class.getClassLoader());
        try {
            return work.call();
        } catch (DiffusionException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
