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
 */
public final class FolderModelProvider implements ModelProvider {

    /** Loads a model file or folder into an engine (the CLI passes the real pipeline loader). */
    @FunctionalInterface
    public interface EngineLoader {
        DiffusionEngine load(Path fileOrFolder) throws DiffusionException;
    }

    private final Path folder;
    private final EngineLoader loader;
    private DiffusionEngine engine;
    private Path loadedFrom;

    /** Loads {@code initial} (a path, or a name found in {@code folder}) right away. */
    public FolderModelProvider(Path folder, EngineLoader loader, String initial) throws DiffusionException {
        this.folder = folder;
        this.loader = loader;
        Path first = initial != null ? resolve(initial) : candidates().stream().findFirst()
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
    public synchronized List<Checkpoint> checkpoints() {
        List<Checkpoint> out = new ArrayList<>();
        Checkpoint current = Checkpoint.of(engine.model());
        out.add(current);
        for (Path p : candidates())
            if (!p.equals(loadedFrom)) out.add(new Checkpoint(stem(p), stem(p), null, p.toString()));
        return out;
    }

    @Override
    public synchronized DiffusionEngine engine() { return engine; }

    @Override
    public synchronized void select(String name) throws DiffusionException {
        if (Checkpoint.of(engine.model()).matches(name)) return;
        load(resolve(name));
    }

    private Path resolve(String name) throws UnknownModelException {
        Path direct = Path.of(name);
        if (Files.exists(direct) && (folder == null || direct.isAbsolute() || name.contains("/"))) return direct;
        for (Path p : candidates())
            if (new Checkpoint(stem(p), stem(p), null, p.toString()).matches(name)) return p;
        throw new UnknownModelException("Model '" + name + "' not found in " + folder + ".");
    }

    /** Closes the current model first (two models may not fit in memory) and reloads it if the new one fails. */
    private void load(Path p) throws DiffusionException {
        Path previous = loadedFrom;
        if (engine != null) engine.close();
        engine = null;
        try {
            engine = loader.load(p);
            loadedFrom = p;
        } catch (DiffusionException | RuntimeException e) {
            if (previous != null) {
                engine = loader.load(previous);
                loadedFrom = previous;
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (engine != null) engine.close();
        engine = null;
    }
}
