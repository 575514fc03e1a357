package org.diffusej.engine.weights;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The weights of a tiny autoencoder (TAESD, TAESDXL) under internal names {@code taesd.encoder.{i}.*} and
 * {@code taesd.decoder.{i}.*}, where {@code i} is the index in madebyollin's original {@code nn.Sequential}
 * (decoder index 0 is the parameterless clamp). Accepted layouts:
 * <ul>
 *   <li>the original files {@code taesd_decoder.safetensors} / {@code taesd_encoder.safetensors} (also
 *   {@code taesdxl_*}; ComfyUI's {@code vae_approx} names): pass either file, or the folder holding them; the
 *   other half is picked up when it lies beside;</li>
 *   <li>a diffusers {@code AutoencoderTiny} folder ({@code config.json} + {@code diffusion_pytorch_model.safetensors},
 *   or a model folder with such a {@code vae/}): {@code encoder.layers.{i}} is encoder {@code i},
 *   {@code decoder.layers.{i}} is decoder {@code i+1}.</li>
 * </ul>
 */
public final class TaesdWeightSource extends RenamedTensors {
    /** Internal name prefixes. */
    public static final String ENCODER = "taesd.encoder.";
    public static final String DECODER = "taesd.decoder.";
    private static final Pattern DIFFUSERS = Pattern.compile("(encoder|decoder)\\.layers\\.(\\d+)\\.(.*)");
    private static final String DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors";

    private final Path location;

    private TaesdWeightSource(Path location, List<SafetensorsFile> files, Map<String, RenamedTensors.Entry> entries) {
        super(location, files, entries);
        this.location = location;
    }

    /** Opens a TAESD file or folder (see the class comment); anything else is refused with what was expected. */
    public static TaesdWeightSource open(Path fileOrFolder) throws InvalidCheckpointException {
        return open(fileOrFolder, null);
    }

    /**
     * Opens the tiny autoencoder for a model of {@code family} (null: any): in a folder holding several, the one
     * trained on that family's latents ({@code taesdxl_*} for SDXL, {@code taesd_*} for SD1/SD2); a file or folder
     * whose name says it is for another family (TAESD on SDXL, TAESDXL on SD1/SD2, TAESD3/TAEF1 anywhere) is
     * refused with a sentence, because its colours would be wrong. Same network either way: only the name tells.
     */
    public static TaesdWeightSource open(Path fileOrFolder, ModelFamily family) throws InvalidCheckpointException {
        if (family != null && Files.isDirectory(fileOrFolder)) {
            String wanted = family == ModelFamily.SDXL ? "taesdxl" : "taesd";
            for (String half : new String[] {"decoder", "encoder"}) {
                Path p = fileOrFolder.resolve(wanted + "_" + half + ".safetensors");
                if (Files.isRegularFile(p)) return open(p, family);
            }
        }
        checkFits(fileOrFolder, family);
        TaesdWeightSource w = openAny(fileOrFolder);
        try {
            checkFits(w.location(), family);   // a folder's file (e.g. ComfyUI's vae_approx/taesd_decoder.safetensors)
        } catch (InvalidCheckpointException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private static void checkFits(Path fileOrFolder, ModelFamily family) throws InvalidCheckpointException {
        String kind = kindOf(fileOrFolder);
        if (family == null || kind == null || kind.equals(family == ModelFamily.SDXL ? "taesdxl" : "taesd")) return;
        throw new InvalidCheckpointException(fileOrFolder.getFileName() + " looks like "
                + kind.toUpperCase(java.util.Locale.ROOT) + ", the tiny autoencoder for " + latentsOf(kind)
                + " latents, but the model is " + family + ": use " + (family == ModelFamily.SDXL
                ? "TAESDXL (taesdxl_decoder.safetensors, madebyollin/taesdxl)"
                : "TAESD (taesd_decoder.safetensors, madebyollin/taesd)") + ", or no tiny autoencoder.");
    }

    /** "taesd", "taesdxl", "taesd3", "taef1" from a file or folder name (madebyollin's names), or null. */
    static String kindOf(Path fileOrFolder) {
        Path name = fileOrFolder.toAbsolutePath().normalize().getFileName();
        if (name == null) return null;
        String n = name.toString().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("vae") && fileOrFolder.toAbsolutePath().normalize().getParent() != null)
            return kindOf(fileOrFolder.toAbsolutePath().normalize().getParent());
        for (String kind : new String[] {"taesdxl", "taesd3", "taef1", "taesd"})
            if (n.startsWith(kind + "_") || n.equals(kind) || n.startsWith(kind + "-") || n.startsWith(kind + "."))
                return kind;
        return null;
    }

    private static String latentsOf(String kind) {
        return switch (kind) {
            case "taesdxl" -> "SDXL";
            case "taesd3" -> "SD3";
            case "taef1" -> "Flux";
            default -> "SD 1.x/2.x";
        };
    }

    private static TaesdWeightSource openAny(Path fileOrFolder) throws InvalidCheckpointException {
        if (Files.isDirectory(fileOrFolder)) {
            Path config = fileOrFolder.resolve("config.json");
            if (Files.isRegularFile(config) && isAutoencoderTiny(config)) return diffusers(fileOrFolder);
            Path vae = fileOrFolder.resolve("vae");
            if (Files.isRegularFile(vae.resolve("config.json")) && isAutoencoderTiny(vae.resolve("config.json")))
                return diffusers(vae);
            Path half = halfIn(fileOrFolder, "decoder");
            if (half == null) half = halfIn(fileOrFolder, "encoder");
            if (half != null) return original(half);
            throw new InvalidCheckpointException("The folder " + fileOrFolder + " holds no tiny autoencoder: expected "
                    + "taesd_decoder.safetensors (and taesd_encoder.safetensors), or a diffusers AutoencoderTiny "
                    + "config.json with " + DIFFUSERS_WEIGHTS + ".");
        }
        if (!Files.isRegularFile(fileOrFolder))
            throw new InvalidCheckpointException("The tiny autoencoder " + fileOrFolder + " does not exist.");
        return original(fileOrFolder);
    }

    private static boolean isAutoencoderTiny(Path config) throws InvalidCheckpointException {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
            return o.has("_class_name") && o.get("_class_name").getAsString().equals("AutoencoderTiny");
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException("Cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    /** {@code taesd_decoder.safetensors}, {@code taesdxl_decoder.safetensors}, ... in {@code folder}, or null. */
    private static Path halfIn(Path folder, String half) {
        for (String family : new String[] {"taesd", "taesdxl", "taesd3", "taef1"}) {
            Path p = folder.resolve(family + "_" + half + ".safetensors");
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static TaesdWeightSource diffusers(Path folder) throws InvalidCheckpointException {
        Path weights = folder.resolve(DIFFUSERS_WEIGHTS);
        if (!Files.isRegularFile(weights))
            throw new InvalidCheckpointException("The AutoencoderTiny folder " + folder + " has no " + DIFFUSERS_WEIGHTS
                    + " (pickled .bin weights are not opened).");
        SafetensorsFile f = SafetensorsFile.open(weights);
        Map<String, RenamedTensors.Entry> entries = new LinkedHashMap<>();
        for (String key : f.names()) {
            Matcher m = DIFFUSERS.matcher(key);
            if (!m.matches()) continue;
            boolean decoder = m.group(1).equals("decoder");
            int index = Integer.parseInt(m.group(2)) + (decoder ? 1 : 0);   // diffusers' decoder has no clamp module
            entries.put((decoder ? DECODER : ENCODER) + index + "." + m.group(3), RenamedTensors.Entry.stored(f, key));
        }
        return checked(folder, List.of(f), entries);
    }

    /** One original half, plus the other half when it lies beside it under the matching name. */
    private static TaesdWeightSource original(Path file) throws InvalidCheckpointException {
        String name = file.getFileName().toString();
        boolean decoder = name.contains("decoder");
        if (!decoder && !name.contains("encoder"))
            throw new InvalidCheckpointException("Cannot tell whether " + file + " is a TAESD encoder or decoder: the "
                    + "original files are named like taesd_decoder.safetensors and taesd_encoder.safetensors.");
        Path other = file.resolveSibling(decoder ? name.replace("decoder", "encoder") : name.replace("encoder", "decoder"));
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, RenamedTensors.Entry> entries = new LinkedHashMap<>();
        try {
            add(SafetensorsFile.open(file), decoder ? DECODER : ENCODER, files, entries);
            if (Files.isRegularFile(other)) add(SafetensorsFile.open(other), decoder ? ENCODER : DECODER, files, entries);
        } catch (InvalidCheckpointException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return checked(file, files, entries);
    }

    private static void add(SafetensorsFile f, String prefix, List<SafetensorsFile> files, Map<String, RenamedTensors.Entry> entries) {
        files.add(f);
        for (String key : f.names()) entries.put(prefix + key, RenamedTensors.Entry.stored(f, key));
    }

    private static TaesdWeightSource checked(Path location, List<SafetensorsFile> files, Map<String, RenamedTensors.Entry> entries)
            throws InvalidCheckpointException {
        if (entries.isEmpty()) {
            files.forEach(SafetensorsFile::close);
            throw new InvalidCheckpointException(location + " has no tiny-autoencoder tensors (keys like '1.conv.0.weight' "
                    + "or diffusers' 'decoder.layers.0.weight').");
        }
        return new TaesdWeightSource(location, files, entries);
    }

    /** The file or folder these weights came from. */
    public Path location() { return location; }

    public boolean hasEncoder() { return names().stream().anyMatch(n -> n.startsWith(ENCODER)); }

    public boolean hasDecoder() { return names().stream().anyMatch(n -> n.startsWith(DECODER)); }

    @Override
    String missing(String name) {
        return "The tiny autoencoder " + location + " has no tensor '" + name + "'.";
    }
}
