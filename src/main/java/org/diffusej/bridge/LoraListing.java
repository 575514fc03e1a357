package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffusej.engine.lora.InvalidLoraException;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.SafetensorsFile;

import java.nio.file.Path;
import java.util.Map;

/**
 * A1111's {@code /sdapi/v1/loras} entries for a {@link LoraLibrary}: {@code name} (the file name without extension,
 * what {@code <lora:name:1>} takes), {@code alias} (the metadata's {@code ss_output_name}, else the name),
 * {@code path} relative to its LoRA folder (never an absolute path: clients need not know the server's disk) and
 * {@code metadata}, the file's {@code __metadata__} strings with each value and the whole map capped in size.
 */
final class LoraListing {
    /** Longest metadata value sent; longer ones (kohya's tag frequencies) are cut and end in an ellipsis. */
    static final int MAX_VALUE_CHARS = 2048;
    /** Most metadata characters (keys and values) sent per LoRA; entries past it are left out. */
    static final int MAX_METADATA_CHARS = 32 * 1024;

    private LoraListing() { }

    static JsonArray of(LoraLibrary library) throws ApiException {
        Map<String, Path> all;
        try {
            all = library.list();
        } catch (InvalidLoraException e) {
            throw new ApiException(500, "LoraFolderUnreadable", "The LoRA folder could not be listed (the server's log says why).");
        }
        JsonArray out = new JsonArray();
        all.forEach((name, file) -> {
            JsonObject meta = metadata(file);
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("alias", meta.has("ss_output_name") ? meta.get("ss_output_name").getAsString() : name);
            o.addProperty("path", relative(library, file));
            o.add("metadata", meta);
            out.add(o);
        });
        return out;
    }

    /** {@code file} relative to the library folder that holds it, with {@code /}; a single file: its file name. */
    static String relative(LoraLibrary library, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        for (Path folder : library.folders()) {
            Path f = folder.toAbsolutePath().normalize();
            if (abs.startsWith(f)) return f.relativize(abs).toString().replace('\\', '/');
        }
        return abs.getFileName().toString();
    }

    /** {@code message} with each LoRA folder of {@code library} named "the LoRA folder" instead of its absolute path. */
    static String withoutFolders(String message, LoraLibrary library) {
        if (message == null) return null;
        String out = message;
        for (Path folder : library.folders())
            for (String form : new String[] {folder.toAbsolutePath().normalize().toString(), folder.toString()})
                if (!form.isEmpty()) out = out.replace(form, "the LoRA folder");
        return out;
    }

    /** The capped {@code __metadata__}; an unreadable file lists with none (A1111 does the same). */
    static JsonObject metadata(Path file) {
        JsonObject o = new JsonObject();
        Map<String, String> meta;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            meta = f.metadata();
        } catch (InvalidCheckpointException e) {
            return o;
        }
        int used = 0;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String v = e.getValue();
            if (v.length() > MAX_VALUE_CHARS) v = v.substring(0, MAX_VALUE_CHARS - 1) + "…";
            used += e.getKey().length() + v.length();
            if (used > MAX_METADATA_CHARS) break;
            o.addProperty(e.getKey(), v);
        }
        return o;
    }
}
