package org.diffusej.models;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import org.diffusej.engine.Mode;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The models DiffuseJ can download by id, and the default model for each mode; read from a JSON resource. */
public final class ModelCatalog {
    /** The catalog shipped in the jar. */
    public static final String RESOURCE = "/org/diffusej/models/catalog.json";

    private final Map<String, CatalogEntry> entries;
    private final Map<Mode, String> defaults;

    private ModelCatalog(Map<String, CatalogEntry> entries, Map<Mode, String> defaults) {
        this.entries = Collections.unmodifiableMap(entries);
        this.defaults = defaults;
    }

    /** The bundled catalog. */
    public static ModelCatalog bundled() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("catalog resource missing: " + RESOURCE);
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a catalog in the bundled resource's format. */
    public static ModelCatalog parse(Reader json) {
        Json root = new Gson().fromJson(json, Json.class);
        if (root == null || root.models == null) throw new JsonParseException("catalog has no \"models\" array");
        Map<String, CatalogEntry> byId = new LinkedHashMap<>();
        for (Json.Model m : root.models) {
            List<CatalogFile> files = new ArrayList<>();
            for (Json.File f : m.files) files.add(new CatalogFile(f.path, f.size == null ? -1 : f.size, f.sha256));
            CatalogEntry e = new CatalogEntry(m.id, m.title, m.repo, m.revision, m.layout, m.family, m.inpainting,
                    m.prediction, m.resolution, files);
            if (byId.put(e.id(), e) != null) throw new JsonParseException("catalog lists " + e.id() + " twice");
        }
        Map<Mode, String> defaults = new EnumMap<>(Mode.class);
        if (root.defaults != null)
            for (String key : root.defaults.keySet()) {
                Mode mode = Mode.valueOf(key.toUpperCase(Locale.ROOT));
                String id = root.defaults.get(key).getAsString();
                if (!byId.containsKey(id)) throw new JsonParseException("default model " + id + " is not in the catalog");
                defaults.put(mode, id);
            }
        return new ModelCatalog(byId, defaults);
    }

    public List<CatalogEntry> entries() { return List.copyOf(entries.values()); }

    public Optional<CatalogEntry> find(String id) { return Optional.ofNullable(entries.get(id)); }

    /** The catalog's own default model id for a mode (before any user setting). */
    public String defaultId(Mode mode) {
        String id = defaults.get(mode);
        return id != null ? id : defaults.getOrDefault(Mode.TXT2IMG, entries.keySet().iterator().next());
    }

    /** Catalog ids, comma-separated, for messages. */
    public String idList() { return String.join(", ", entries.keySet()); }

    @SuppressWarnings("unused") // filled by Gson
    private static final class Json {
        JsonObject defaults;
        List<Model> models;

        static final class Model {
            String id, title, repo, revision, layout, family, prediction;
            boolean inpainting;
            int resolution;
            List<File> files;
        }

        static final class File {
            String path;
            @SerializedName("size") Long size;
            String sha256;
        }
    }
}
