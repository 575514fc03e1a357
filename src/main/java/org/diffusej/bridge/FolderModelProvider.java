package org.diffusej.bridge;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The models of one folder ({@code *.safetensors} files and diffusers folders), one loaded at a time: selecting
 * another closes the current engine and loads the new one. Used by {@code diffusej serve --models DIR}.
 * Clients select only what {@link #checkpoints()} lists (by title, name, file name or hash): a path, absolute or
 * relative, is never opened on a client's word. A load that fails in any way reloads the previous model.
 */
public final class FolderModelProvider implements ModelProvider {

    /** Loads a model file or folder into an engine (the CLI passes the real pipeline loader). */
    @FunctionalInterface
    public interface EngineLoader {
        DiffusionEngine load(Path fileOrFolder) throws DiffusionException;
    }

    /** Loads a model with a VAE choice (A1111's {@code sd_vae}); the CLI's {@code serve} passes one. */
    @FunctionalInterface
    public interface VaeEngineLoader {
        DiffusionEngine load(Path fileOrFolder, VaeChoice vae) throws DiffusionException;
    }

    private final Path folder;
    private final VaeEngineLoader loader;
    private final boolean switchesVae;
    private VaeChoice vae = VaeChoice.AUTOMATIC;
    private DiffusionEngine engine;
    private Path loadedFrom;
    private Path unloadedFrom;       // set while the selected model is unloaded (A1111 unload-checkpoint)
    private SdModelEntry unloadedAs;

    /** Loads {@code initial} (a path, or a name found in {@code folder}) right away. */
    public FolderModelProvider(Path folder, EngineLoader loader, String initial) throws DiffusionException {
        this(folder, (p, v) -> loader.load(p), false, initial);
    }

    /** As above, with a loader that also switches the VAE ({@link #selectVae}); a null folder offers only {@code initial}. */
    public FolderModelProvider(Path folder, VaeEngineLoader loader, String initial) throws DiffusionException {
        this(folder, loader, true, initial);
    }

    private FolderModelProvider(Path folder, VaeEngineLoader loader, boolean switchesVae, String initial)
            throws DiffusionException {
        this.folder = folder;
        this.loader = loader;
        this.switchesVae = switchesVae;
        Path first = initial != null ? resolveInitial(initial) : candidates().stream().findFirst()
                .orElseThrow(() -> new UnknownModelException("No models (*.safetensors or diffusers folders) in " + folder + "."));
        load(first);
    }

    private List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        if (folder == null || !Files.isDirectory(folder)) return out;
        try (Stream<Path> s = Files.list(folder)) {
            s.sorted().forEach(p -> {
                if (p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p)) out.add(p);
                else if (Files.isRegularFile(p.resolve("model_index.json"))) out.add(p);
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    @Override
    public synchronized List<SdModelEntry> checkpoints() {
        List<SdModelEntry> out = new ArrayList<>();
        if (engine != null) out.add(SdModelEntry.of(engine.model()));
        else if (unloadedAs != null) out.add(unloadedAs);
        for (Path p : candidates())
            if (!p.equals(loadedFrom) && !p.equals(unloadedFrom)) out.add(listed(p));
        return out;
    }

    /** A folder entry as clients see it: names only, never where the folder is. */
    private static SdModelEntry listed(Path p) {
        return new SdModelEntry(p.getFileName().toString(), stem(p), null, p.getFileName().toString());
    }

    @Override
    public synchronized SdModelEntry selected() {
        return engine == null && unloadedAs != null ? unloadedAs : SdModelEntry.of(engine().model());
    }

    @Override
    public synchronized org.diffusej.engine.ModelInfo loadedModel() {
        return engine == null ? null : engine.model();
    }

    @Override
    public synchronized boolean unload() {
        if (engine == null) return unloadedAs != null;
        unloadedAs = SdModelEntry.of(engine.model());
        unloadedFrom = loadedFrom;
        engine.close();
        engine = null;
        loadedFrom = null;
        return true;
    }

    @Override
    public synchronized void reload() throws DiffusionException {
        if (engine != null || unloadedFrom == null) return;
        Path p = unloadedFrom;
        engine = loader.load(p, vae);
        loadedFrom = p;
        unloadedFrom = null;
        unloadedAs = null;
    }

    /** The selected model's engine; an unloaded model is loaded again first. */
    @Override
    public synchronized DiffusionEngine engine() {
        if (engine == null && unloadedFrom != null) {
            try {
                reload();
            } catch (DiffusionException e) {
                throw new IllegalStateException("Reloading the unloaded model failed: " + e.getMessage(), e);
            }
        }
        if (engine == null)
            throw new IllegalStateException("No model is loaded: the last switch failed and so did reloading the "
                    + "previous one; select a model with sd_model_checkpoint.");
        return engine;
    }

    @Override
    public synchronized void select(String name) throws DiffusionException {
        if (engine != null && SdModelEntry.of(engine.model()).matches(name)) return;
        if (engine == null && unloadedAs != null && unloadedAs.matches(name)) {
            reload();
            return;
        }
        for (Path p : candidates())
            if (listed(p).matches(name)) {
                unloadedFrom = null;
                unloadedAs = null;
                load(p);
                return;
            }
        throw new UnknownModelException("Model '" + OriginPolicy.quote(String.valueOf(name)) + "' is not one of this "
                + "server's models; /sdapi/v1/sd-models lists them.");
    }

    /** The model the operator named when starting the server: a path, or a name in the folder. */
    private Path resolveInitial(String name) throws UnknownModelException {
        Path direct = Path.of(name);
        if (Files.exists(direct) && (folder == null || direct.isAbsolute() || name.contains("/"))) return direct;
        for (Path p : candidates())
            if (listed(p).matches(name)) return p;
        throw new UnknownModelException("Model '" + name + "' not found in " + folder + ".");
    }

    /**
     * Closes the current model first (two models may not fit in memory) and reloads it if the new one fails in any
     * way, errors such as StackOverflowError included.
     */
    private void load(Path p) throws DiffusionException {
        Path previous = loadedFrom;
        if (engine != null) engine.close();
        engine = null;
        loadedFrom = null;
        try {
            engine = loader.load(p, vae);
            loadedFrom = p;
        } catch (Throwable e) { // NOPMD: whatever failed, the previous model must come back
            if (previous != null) restore(previous, e);
            throw e;
        }
    }

    private void restore(Path previous, Throwable cause) {
        try {
            engine = loader.load(previous, vae);
            loadedFrom = previous;
        } catch (Throwable again) { // NOPMD: reported with the original failure
            cause.addSuppressed(again);
        }
    }

    @Override
    public synchronized VaeChoice vae() { return vae; }

    /**
     * Loads the selected model again with {@code choice} (the engine builds its VAE at load time); an unloaded model
     * takes it when loaded again. A failed load brings back the model with the previous VAE.
     */
    @Override
    public synchronized void selectVae(VaeChoice choice) throws DiffusionException {
        if (!switchesVae) {
            ModelProvider.super.selectVae(choice);
            return;
        }
        if (choice.equals(vae)) return;
        VaeChoice previous = vae;
        Path model = loadedFrom;
        if (model == null) {  // unloaded, or nothing loaded after a failed switch: the next load takes it
            vae = choice;
            return;
        }
        engine.close();
        engine = null;
        loadedFrom = null;
        vae = choice;
        try {
            engine = loader.load(model, choice);
            loadedFrom = model;
        } catch (Throwable e) { // NOPMD: whatever failed, the previous model and VAE must come back
            vae = previous;
            restore(model, e);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (engine != null) engine.close();
        engine = null;
    }
}
