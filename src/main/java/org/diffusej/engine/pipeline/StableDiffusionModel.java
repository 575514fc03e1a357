package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDManager;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.pipeline.PrecisionResolver;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.lora.LoraPatcher;
import org.diffusej.engine.lora.ModelLoras;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.PredictionType;
import org.diffusej.engine.text.ClipTokenizer;
import org.diffusej.engine.text.DualTextEncoder;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.vae.Vae;
import org.diffusej.engine.vae.VaeConfig;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.DiffusersConfig;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.ModelFamily;
import org.diffusej.engine.weights.XlConfig;
import org.diffusej.engine.weights.VaeWeightSource;
import org.diffusej.engine.weights.WeightSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.infotext.ModelHash;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ModelOptions;

/**
 * A loaded Stable Diffusion 1.x/2.x/XL model: tokenizer, text encoder (SDXL: two of each, see {@link #xl()}), UNet,
 * VAE and noise schedule, from an LDM/sgm single {@code .safetensors} file or a diffusers folder. Facts the weights do not carry come from the folder's configs,
 * from {@link ModelOptions} or from the family defaults; the prediction type rule is: the caller's override, else
 * the folder's {@code scheduler_config.json}, else what the file declares (safetensors metadata
 * {@code modelspec.prediction_type} or a {@code v_pred} tensor), else the config folder's scheduler, else epsilon for
 * SD1 and v for SD2 single files (SD 2.x 768 models are v; 512 "base" files need the epsilon override).
 */
public final class StableDiffusionModel implements AutoCloseable {
    /** Hashes by file, size and modification time: hashing a 4 GB file takes a while, once per process is enough. */
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final TextEncoder textEncoder;
    private final UNet unet;
    private final Vae vae;
    private final NoiseSchedule schedule;
    private final Xl xl;
    private final PrecisionChoice precision;
    private final ModelLoras loras;
    private volatile ModelInfo info;
    private final Map<String, String> vaeInfotext;

    /**
     * What an SDXL model adds: its second tokenizer, both text encoders and the folder's SDXL facts.
     *
     * @param tokenizer2   the second tokenizer (pads with {@code !} = 0)
     * @param textEncoders CLIP ViT-L and OpenCLIP bigG
     * @param config       second encoder's heads and activation, force_zeros_for_empty_prompt
     */
    public record Xl(ClipTokenizer tokenizer2, DualTextEncoder textEncoders, XlConfig config) { }

    private StableDiffusionModel(Checkpoint checkpoint, NDManager manager, ClipTokenizer tokenizer, TextEncoder textEncoder,
                                 Xl xl, UNet unet, Vae vae, Map<String, String> vaeInfotext, NoiseSchedule schedule,
                                 PrecisionChoice precision) {
        this.precision = precision;
        this.vaeInfotext = vaeInfotext;
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedule = schedule;
        this.xl = xl;
        this.loras = new ModelLoras(xl != null ? new LoraPatcher(unet, xl.textEncoders(), manager)
                : new LoraPatcher(unet, textEncoder, manager));
    }

    /** System property that allows bf16 on CPUs without native bf16 (emulated, slow). */
    public static final String EMULATED_BF16_PROPERTY = PrecisionResolver.EMULATED_BF16_PROPERTY;

    /**
     * Recognises and loads {@code fileOrFolder}; unsupported or malformed models are refused with a message. A BFLOAT16
     * precision is settled first ({@link PrecisionResolver#settle}): refused where the CPU would emulate it, float32
     * where bf16 fails its self-test on this host ({@link #precisionChoice()} says so).
     */
    public static StableDiffusionModel load(Path fileOrFolder, ModelOptions o) throws DiffusionException {
        PrecisionResolver.Resolution r = PrecisionResolver.system().settle(o);
        return load(fileOrFolder, r.options(), r.choice());
    }

    /**
     * Loads with options whose precision {@link PrecisionResolver} already chose, as {@code choice} records (the
     * faces resolve names such as "auto" first).
     */
    public static StableDiffusionModel load(Path fileOrFolder, ModelOptions o, PrecisionChoice choice)
            throws DiffusionException {
        if (choice.used() != o.precision())
            throw new IllegalArgumentException("the precision choice (" + choice.used() + ") is not the options' ("
                    + o.precision() + ")");
        Checkpoint c = CheckpointRecognizer.open(fileOrFolder);
        NDManager m = null;
        try {
            DiffusersConfig cfg = c.config() != null ? c.config() : o.config() != null ? DiffusersConfig.read(o.config()) : null;
            Path configFolder = c.folder() ? c.location() : o.config();
            m = TorchRuntime.newManager(o.device());
            ClipTokenizer tokenizer = tokenizer(c, configFolder);

            int textHeads = o.textHeads() != null ? o.textHeads() : cfg != null ? cfg.textHeads() : 0;
            TextEncoder text = null;
            Xl xl = null;
            if (c.family() == ModelFamily.SDXL) {
                xl = loadXl(c, cfg, configFolder, textHeads, m, o);
            } else {
                TextEncoder.Config textConfig = TextEncoder.Config.detect(c.weights(), textHeads,
                        cfg != null ? cfg.textHiddenAct() : c.family().textHiddenAct());
                text = TextEncoder.load(c.weights(), textConfig, m, o.precision());
            }

            UNetConfig unetConfig = unetConfig(c, cfg, o);
            UNet unet = UNet.load(c.weights(), unetConfig, m, o.precision());

            Map<String, String> vaeInfotext = new LinkedHashMap<>();
            Vae vae = vae(c, cfg, o, m, vaeInfotext);

            return new StableDiffusionModel(c, m, tokenizer, text, xl, unet, vae, java.util.Collections.unmodifiableMap(vaeInfotext),
                    schedule(c, configFolder, o), choice);
        } catch (DiffusionException | RuntimeException e) {
            if (m != null) m.close();
            c.close();
            if (e instanceof IllegalArgumentException)  // a configuration the weights do not fit (e.g. heads)
                throw new InvalidCheckpointException(fileOrFolder.getFileName() + " does not fit the network "
                        + "configuration DiffuseJ derived for it (" + e.getMessage() + "). For a model with unusual "
                        + "heads or group norms, pass its diffusers config folder or the heads/groups in the options.", e);
            throw e;
        }
    }

    /**
     * The model's VAE, or the one {@link ModelOptions#vae()} names in its place (same architecture, e.g. the SDXL
     * fp16-fix VAE); the scaling factor stays the model's, as in A1111. For another VAE, {@code infotext} receives
     * A1111's "VAE hash" (first 10 hex of the weights file's SHA-256, as A1111's {@code sd_vae} hashes its files) and
     * "VAE" (the file name with extension; a folder's name).
     */
    private static Vae vae(Checkpoint c, DiffusersConfig cfg, ModelOptions o, NDManager m, Map<String, String> infotext)
            throws DiffusionException {
        int vaeGroups = o.normGroups() != null ? o.normGroups() : cfg != null ? cfg.vaeNormGroups() : 32;
        try (VaeWeightSource other = o.vae() == null ? null : VaeWeightSource.open(o.vae())) {
            if (other != null) {
                try {
                    infotext.put("VAE hash", org.diffusej.engine.infotext.ModelHash.shortHash(other.file()));
                } catch (java.io.IOException e) {
                    throw new InvalidCheckpointException("The VAE " + other.file().getFileName() + " could not be read: "
                            + e.getMessage(), e);
                }
                infotext.put("VAE", o.vae().toAbsolutePath().normalize().getFileName().toString());
            }
            WeightSource w = other != null ? other : c.weights();
            VaeConfig vaeConfig = VaeConfig.detect(w, vaeGroups);
            if (cfg != null) vaeConfig = vaeConfig.withScalingFactor(cfg.vaeScalingFactor());
            else if (c.family() == ModelFamily.SDXL) vaeConfig = vaeConfig.withScalingFactor(VaeConfig.SDXL_SCALING_FACTOR);
            return Vae.load(w, vaeConfig, m, Vae.precisionBeside(o.precision()));
        }
    }

    /** SDXL's second tokenizer and both text encoders; the folder's (or config folder's) facts when it has them. */
    private static Xl loadXl(Checkpoint c, DiffusersConfig cfg, Path configFolder, int textHeads, NDManager m,
                             ModelOptions o) throws DiffusionException {
        boolean folderFacts = configFolder != null && Files.isDirectory(configFolder.resolve("text_encoder_2"));
        XlConfig x = folderFacts ? XlConfig.read(configFolder) : XlConfig.sdxl();
        ClipTokenizer tokenizer2 = configFolder != null && Files.isDirectory(configFolder.resolve("tokenizer_2"))
                ? ClipTokenizer.fromFolder(configFolder.resolve("tokenizer_2"))
                : ClipTokenizer.bundled().withPadToken("!");
        DualTextEncoder encoders = DualTextEncoder.load(c.weights(), textHeads, cfg != null ? cfg.textHiddenAct() : null,
                x.text2Heads(), x.text2HiddenAct(), m, o.precision());
        return new Xl(tokenizer2, encoders, x);
    }

    /**
     * Distilled few-step models recognised by name: Stability's SD-Turbo / SDXL-Turbo (trained at 512²), other
     * "turbo" fine-tunes (e.g. DreamShaper XL Turbo, 1024²) and SDXL-Lightning. They sample with trailing timestep
     * spacing, as their model cards and scheduler configs say (a request's own spacing still wins).
     */
    enum FewStep {
        NONE, TURBO_512, TURBO, LIGHTNING;

        private static final java.util.regex.Pattern STABILITY_TURBO =
                java.util.regex.Pattern.compile("(^|[^a-z0-9])sd[-_ ]?(xl[-_ ]?)?turbo([^a-z0-9]|$)");

        static FewStep of(String modelName) {
            String n = modelName.toLowerCase(java.util.Locale.ROOT);
            if (STABILITY_TURBO.matcher(n).find()) return TURBO_512;
            if (n.contains("turbo")) return TURBO;
            return n.contains("lightning") ? LIGHTNING : NONE;
        }
    }

    private static ClipTokenizer tokenizer(Checkpoint c, Path configFolder) throws DiffusionException {
        if (configFolder != null && Files.isDirectory(configFolder.resolve("tokenizer")))
            return ClipTokenizer.fromFolder(configFolder.resolve("tokenizer"));
        // SD2's tokenizer is CLIP's vocabulary with '!' (id 0) as its pad token
        return c.family() == ModelFamily.SD2 ? ClipTokenizer.bundled().withPadToken("!") : ClipTokenizer.bundled();
    }

    private static UNetConfig unetConfig(Checkpoint c, DiffusersConfig cfg, ModelOptions o) throws DiffusionException {
        UNetConfig u = headsOf(c, cfg, o);
        for (int level = 0; level < u.levels(); level++)   // fail at load, not in the middle of a generation
            u.headsFor((long) u.modelChannels() * u.channelMult().get(level));
        return u;
    }

    private static UNetConfig headsOf(Checkpoint c, DiffusersConfig cfg, ModelOptions o) throws DiffusionException {
        int groups = o.normGroups() != null ? o.normGroups() : cfg != null ? cfg.unetNormGroups() : 32;
        UNetConfig u = UNetConfig.detect(c.weights(), groups);
        if (o.unetHeads() != null) return u.withHeads(o.unetHeads());
        if (o.unetHeadChannels() != null) return u.withHeadChannels(o.unetHeadChannels());
        return cfg == null ? u : u.withHeadsOf(cfg);
    }

    private static NoiseSchedule schedule(Checkpoint c, Path configFolder, ModelOptions o) throws DiffusionException {
        Path json = configFolder == null ? null : configFolder.resolve("scheduler").resolve("scheduler_config.json");
        boolean hasConfig = json != null && Files.isRegularFile(json);
        NoiseSchedule s = hasConfig ? NoiseSchedule.fromDiffusersConfig(json) : NoiseSchedule.sd();
        // distilled few-step models sample with trailing spacing; a model folder's own scheduler config says so itself
        if (!(c.folder() && hasConfig) && FewStep.of(ModelInfo.nameOf(c.location(), c.folder())) != FewStep.NONE)
            s = s.withSpacing("trailing");
        if (o.predictionType() != null) return s.withPredictionType(o.predictionType());
        if (c.folder() && hasConfig) return s;
        if (c.declaresVPrediction() != null)
            return s.withPredictionType(c.declaresVPrediction() ? PredictionType.V_PREDICTION : PredictionType.EPSILON);
        if (hasConfig) return s;
        return s.withPredictionType(c.family() == ModelFamily.SD2 ? PredictionType.V_PREDICTION : PredictionType.EPSILON);
    }

    public ClipTokenizer tokenizer() { return tokenizer; }

    /** The text encoder of an SD1/SD2 model; null for SDXL (see {@link #xl()}). */
    public TextEncoder textEncoder() { return textEncoder; }

    /** SDXL's second tokenizer and text encoders, or null for SD1/SD2. */
    public Xl xl() { return xl; }

    public UNet unet() { return unet; }

    public Vae vae() { return vae; }

    /** A1111's "VAE hash" and "VAE" infotext entries when another VAE replaced the model's; else empty. */
    public Map<String, String> vaeInfotext() { return vaeInfotext; }

    public NoiseSchedule schedule() { return schedule; }

    /** How the compute precision was chosen (requested, used, why). */
    public PrecisionChoice precisionChoice() { return precision; }

    /** The model's LoRA library and the LoRAs merged into its weights. */
    public ModelLoras loras() { return loras; }

    public PredictionType predictionType() { return schedule.predictionType(); }

    public ModelFamily family() { return checkpoint.family(); }

    /** The manager that owns every weight; sub-managers of it keep work on the model's device. */
    public NDManager manager() { return manager; }

    /**
     * What the model is; the hash is computed on first call (SHA-256 of the single file, or of a folder's UNet
     * weights file) and cached per file, size and modification time for the rest of the process.
     */
    public ModelInfo info() throws DiffusionException {
        ModelInfo i = info;
        if (i == null) {
            Path location = checkpoint.location();
            String name = ModelInfo.nameOf(location, checkpoint.folder());
            boolean v = predictionType() == PredictionType.V_PREDICTION;
            String family = checkpoint.family().name();
            i = new ModelInfo(name, location.toString(), shortHash(checkpoint.hashFile()), family,
                    checkpoint.inpainting(), v, precision,
                    FewStep.of(name) == FewStep.TURBO_512 ? 512 : ModelInfo.familySize(family, v));
            info = i;
        }
        return i;
    }

    private static String shortHash(Path file) throws DiffusionException {
        try {
            String key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
            String cached = HASHES.get(key);
            if (cached != null) return cached;
            String hash = ModelHash.shortHash(file);
            HASHES.put(key, hash);
            return hash;
        } catch (IOException e) {
            throw new DiffusionException("Cannot read " + file + " to compute the model hash: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
        checkpoint.close();
    }
}
