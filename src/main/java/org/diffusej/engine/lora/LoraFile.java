package org.diffusej.engine.lora;

import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.SafetensorsFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA {@code .safetensors} file, read as a list of {@link Module}s (one low-rank update each) under a module key
 * that {@link LoraTargets} resolves: kohya / A1111 keys stay as they are ({@code lora_unet_…}, {@code lora_te_…}
 * with {@code .lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}); diffusers / peft keys become
 * {@code unet.<module>} or {@code text_encoder.<module>} ({@code .lora_A/.lora_B}, {@code .lora.down/.lora.up},
 * {@code .lora_linear_layer.down/up}, and the old attention-processor form {@code .processor.to_q_lora.down}).
 * Only the header and the alphas are read here; the matrices are read when the LoRA is applied.
 */
public final class LoraFile {
    private static final Set<String> PICKLE_EXTENSIONS = Set.of("ckpt", "pt", "pth", "bin", "pkl", "pickle");
    private static final Pattern KOHYA = Pattern.compile("(lora_(?:unet|te\\d?)_[^.]+)\\.(.+)");
    private static final Pattern DIFFUSERS = Pattern.compile("(unet|text_encoder(?:_2)?)\\.(.+?)\\."
            + "(lora_A\\.weight|lora_B\\.weight|lora\\.down\\.weight|lora\\.up\\.weight|lora_linear_layer\\.down\\.weight"
            + "|lora_linear_layer\\.up\\.weight|alpha)");
    private static final Pattern PROCESSOR = Pattern.compile("unet\\.(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight");
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    /** Part of the model a module patches. */
    public enum Component { UNET, TEXT_ENCODER }

    /**
     * One low-rank update {@code W += multiplier · alpha/rank · up·down}.
     *
     * @param key       the module key (kohya prefix, or {@code unet.}/{@code text_encoder.} + diffusers module path)
     * @param down      tensor name of down ({@code [r, in]} or {@code [r, in, kh, kw]}; peft {@code lora_A})
     * @param up        tensor name of up ({@code [out, r]} or {@code [out, r, 1, 1]}; peft {@code lora_B})
     * @param alpha     the stored alpha, or null (then alpha = rank: scale 1)
     */
    public record Module(String key, Component component, String down, long[] downShape, String up, long[] upShape,
                         Float alpha) {
        public long rank() { return downShape[0]; }

        /** alpha / rank; 1 without a stored alpha. */
        public double scale() { return alpha == null ? 1.0 : alpha / (double) rank(); }
    }

    private final Path path;
    private final String version; // size and modification time: a changed file is another LoRA
    private final List<Module> modules;
    private final Map<String, String> metadata;

    private LoraFile(Path path, List<Module> modules, Map<String, String> metadata) throws InvalidLoraException {
        this.path = path.toAbsolutePath().normalize();
        try {
            this.version = Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new InvalidLoraException("Cannot read the LoRA " + path + ": " + e.getMessage(), e);
        }
        this.modules = List.copyOf(modules);
        this.metadata = Map.copyOf(metadata);
    }

    /** Reads the header of {@code file}; pickles, LyCORIS types and unknown keys are refused. */
    public static LoraFile open(Path file) throws InvalidLoraException {
        refusePickle(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return read(file, f);
        } catch (InvalidCheckpointException e) {
            throw new InvalidLoraException("Cannot read the LoRA " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static LoraFile read(Path file, SafetensorsFile f) throws InvalidLoraException, InvalidCheckpointException {
        String name = file.getFileName().toString();
        Map<String, String[]> parts = new LinkedHashMap<>(); // key -> {down, up, alpha}
        Map<String, Component> components = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String t : f.names()) {
            String[] kp = keyAndPart(t);
            if (kp == null) {
                unknown.add(t);
                continue;
            }
            String[] slots = parts.computeIfAbsent(kp[0], k -> new String[3]);
            slots[Integer.parseInt(kp[1])] = t;
            components.put(kp[0], kp[0].startsWith("lora_unet_") || kp[0].startsWith("unet.")
                    ? Component.UNET : Component.TEXT_ENCODER);
        }
        List<Module> modules = new ArrayList<>();
        for (Map.Entry<String, String[]> e : parts.entrySet()) {
            String[] p = e.getValue();
            if (p[0] == null || p[1] == null) {
                unknown.add(e.getKey() + (p[0] == null ? " (has no down/lora_A matrix)" : " (has no up/lora_B matrix)"));
                continue;
            }
            Float alpha = p[2] == null ? null : f.readFloats(p[2])[0];
            modules.add(new Module(e.getKey(), components.get(e.getKey()), p[0], f.info(p[0]).shape().clone(),
                    p[1], f.info(p[1]).shape().clone(), alpha));
        }
        if (!unknown.isEmpty()) throw unknownKeys(name, unknown);
        if (modules.isEmpty()) throw new InvalidLoraException(name + " holds no LoRA matrices (no lora_down/lora_up "
                + "or lora_A/lora_B tensors): it is not a LoRA file.");
        return new LoraFile(file, modules, f.metadata());
    }

    /** {module key, part index 0 down / 1 up / 2 alpha}, or null for a tensor that is not plain LoRA. */
    private static String[] keyAndPart(String t) {
        Matcher m = KOHYA.matcher(t);
        if (m.matches()) {
            int part = switch (m.group(2)) {
                case "lora_down.weight" -> 0;
                case "lora_up.weight" -> 1;
                case "alpha" -> 2;
                default -> -1;
            };
            return part < 0 ? null : new String[] {m.group(1), Integer.toString(part)};
        }
        m = PROCESSOR.matcher(t);
        if (m.matches()) {
            String module = m.group(1) + "." + (m.group(2).equals("to_out") ? "to_out.0" : m.group(2));
            return new String[] {"unet." + module, m.group(3).equals("down") ? "0" : "1"};
        }
        m = DIFFUSERS.matcher(t);
        if (m.matches()) {
            String suffix = m.group(3);
            int part = suffix.equals("alpha") ? 2 : suffix.contains("lora_A") || suffix.contains("down") ? 0 : 1;
            return new String[] {m.group(1) + "." + m.group(2), Integer.toString(part)};
        }
        return null;
    }

    private static InvalidLoraException unknownKeys(String name, List<String> unknown) {
        String kind = "";
        for (String u : unknown) {
            if (u.contains("hada_")) kind = " They look like LyCORIS LoHa, which DiffuseJ does not support.";
            else if (u.contains("lokr_")) kind = " They look like LyCORIS LoKr, which DiffuseJ does not support.";
            else if (u.contains("lora_mid")) kind = " They look like LyCORIS LoCon with a Tucker middle matrix, "
                    + "which DiffuseJ does not support.";
            else if (u.contains("dora_scale")) kind = " They look like DoRA, which DiffuseJ does not support.";
        }
        return new InvalidLoraException(name + " has " + unknown.size() + " tensor" + (unknown.size() == 1 ? "" : "s")
                + " that are not plain LoRA up/down/alpha matrices, e.g. " + examples(unknown) + "." + kind
                + " Nothing was applied.");
    }

    static String examples(List<String> names) {
        List<String> shown = names.subList(0, Math.min(3, names.size()));
        return "'" + String.join("', '", shown) + "'" + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "");
    }

    private static void refusePickle(Path file) throws InvalidLoraException {
        String n = file.getFileName().toString();
        String ext = n.contains(".") ? n.substring(n.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        boolean pickle = PICKLE_EXTENSIONS.contains(ext);
        if (!pickle && Files.isRegularFile(file)) {
            byte[] head = new byte[2];
            try (InputStream in = Files.newInputStream(file)) {
                int r = in.readNBytes(head, 0, 2);
                pickle = r == 2 && ((head[0] == 'P' && head[1] == 'K') || ((head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5));
            } catch (IOException e) {
                throw new InvalidLoraException("Cannot read the LoRA " + file + ": " + e.getMessage(), e);
            }
        }
        if (pickle)
            throw new InvalidLoraException(n + " appears to be a PyTorch pickle file (.pt/.ckpt/.bin). Pickle files can "
                    + "run arbitrary code when loaded, so DiffuseJ never opens them. Use the .safetensors version of the LoRA.");
    }

    public Path path() { return path; }

    /**
     * True for a LoRA made for SDXL: keys for its two text encoders ({@code lora_te1_}, {@code lora_te2_},
     * {@code text_encoder_2.}) or kohya's {@code ss_base_model_version} saying {@code sdxl…}.
     */
    public boolean isSdxl() {
        return metadata.getOrDefault("ss_base_model_version", "").startsWith("sdxl") || modules.stream().anyMatch(m ->
                m.key().startsWith("lora_te1_") || m.key().startsWith("lora_te2_") || m.key().startsWith("text_encoder_2."));
    }

    /** Same file, same size and modification time. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LoraFile f && f.path.equals(path) && f.version.equals(version);
    }

    @Override
    public int hashCode() { return path.hashCode() * 31 + version.hashCode(); }

    /** The file name without {@code .safetensors}: the name prompts use ({@code <lora:name:0.8>}). */
    public String name() {
        String n = path.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - 12) : n;
    }

    public List<Module> modules() { return modules; }

    /** The file's {@code __metadata__} (kohya's {@code ss_*} training notes, when present). */
    public Map<String, String> metadata() { return metadata; }

    /**
     * A1111's LoRA short hash as written to "Lora hashes": the first 12 hex digits of the kohya/"addnet" hash, the
     * SHA-256 of the file after its safetensors header (so editing metadata does not change it). A1111 takes that
     * hash from the {@code sshs_model_hash} metadata when present (kohya's trainer writes the same value there);
     * DiffuseJ always computes it. Cached per file, size and modification time.
     */
    public String shortHash() throws InvalidLoraException {
        String key = path + "|" + version;
        try {
            String h = HASHES.get(key);
            if (h == null) {
                h = addnetHash(path).substring(0, 12);
                HASHES.put(key, h);
            }
            return h;
        } catch (IOException e) {
            throw new InvalidLoraException("Cannot read the LoRA " + path + " to hash it: " + e.getMessage(), e);
        }
    }

    /** SHA-256 (hex) of everything after the 8-byte header length and the JSON header. */
    static String addnetHash(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] len = in.readNBytes(8);
            long n = 0;
            for (int i = 7; i >= 0; i--) n = (n << 8) | (len[i] & 0xff);
            in.skipNBytes(n);
            byte[] block = new byte[1 << 20];
            for (int r; (r = in.read(block)) > 0; ) sha.update(block, 0, r);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
