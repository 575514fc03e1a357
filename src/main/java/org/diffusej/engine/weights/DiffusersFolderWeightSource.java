package org.diffusej.engine.weights;


import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a diffusers folder ({@code unet/}, {@code vae/}, {@code text_encoder/} and SDXL's {@code text_encoder_2/}
 * safetensors files) under
 * internal names through {@link KeyMapping}. Tensors keep their stored shape except the VAE mid-block attention
 * projections, which are presented (and loaded) as LDM 1×1 convolutions {@code [C,C,1,1]}.
 */
public final class DiffusersFolderWeightSource extends RenamedTensors {
    /** Component folder and the weight file names diffusers writes there, preferred first. */
    private static final String[][] COMPONENTS = {
            {"unet", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"},
            {"vae", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"},
            {"text_encoder", "model.safetensors", "model.fp16.safetensors"}};
    /** SDXL's second text encoder, read when the folder has one. */
    private static final String[] SECOND_TEXT_ENCODER = {"text_encoder_2", "model.safetensors", "model.fp16.safetensors"};

    private final Path folder;

    private DiffusersFolderWeightSource(Path folder, List<SafetensorsFile> files, Map<String, RenamedTensors.Entry> entries) {
        super(folder, files, entries);
        this.folder = folder;
    }

    /** Opens the three component files of {@code folder} and validates their headers. */
    public static DiffusersFolderWeightSource open(Path folder) throws InvalidCheckpointException {
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, TensorInfo> byDiffusersName = new LinkedHashMap<>();
            Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
            List<String[]> components = new ArrayList<>(List.of(COMPONENTS));
            if (Files.isDirectory(folder.resolve(SECOND_TEXT_ENCODER[0]))) components.add(SECOND_TEXT_ENCODER);
            for (String[] component : components) {
                SafetensorsFile f = SafetensorsFile.open(componentFile(folder, component));
                files.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    byDiffusersName.put(component[0] + "/" + t.name(), t);
                    fileOf.put(component[0] + "/" + t.name(), f);
                }
            }
            KeyMapping mapping = new KeyMapping(byDiffusersName.keySet());
            Map<String, RenamedTensors.Entry> entries = new LinkedHashMap<>();
            for (Map.Entry<String, TensorInfo> e : byDiffusersName.entrySet()) {
                String internal = mapping.internalName(e.getKey());
                if (internal == null) continue;
                long[] shape = e.getValue().shape();
                if (internal.contains(".mid.attn_1.") && internal.endsWith(".weight") && shape.length == 2
                        && !internal.contains(".norm."))
                    shape = new long[] {shape[0], shape[1], 1, 1};
                entries.put(internal, new RenamedTensors.Entry(fileOf.get(e.getKey()), e.getValue().name(), shape));
            }
            return new DiffusersFolderWeightSource(folder, files, entries);
        } catch (InvalidCheckpointException | RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /**
     * The weights file of a component (e.g. {@code unet/diffusion_pytorch_model.safetensors}); pickled
     * {@code .bin} weights are refused without being opened.
     */
    static Path componentFile(Path folder, String[] component) throws InvalidCheckpointException {
        Path dir = folder.resolve(component[0]);
        for (int i = 1; i < component.length; i++)
            if (Files.isRegularFile(dir.resolve(component[i]))) return dir.resolve(component[i]);
        for (String pickle : new String[] {"diffusion_pytorch_model.bin", "pytorch_model.bin", "model.bin"})
            if (Files.isRegularFile(dir.resolve(pickle)))
                throw new InvalidCheckpointException("The diffusers folder " + folder + " stores its " + component[0]
                        + " weights only as a PyTorch pickle (" + pickle + "). Pickles can run code when loaded, so "
                        + "DiffuseJ does not open them; use a copy of the model with .safetensors weights.");
        throw new InvalidCheckpointException("The diffusers folder " + folder + " has no " + component[0] + "/"
                + component[1] + ".");
    }

    /** The UNet weights file (the file a folder's model hash is taken from). */
    public static Path unetFile(Path folder) throws InvalidCheckpointException {
        return componentFile(folder, COMPONENTS[0]);
    }

    public Path folder() { return folder; }

    @Override
    String missing(String name) {
        return "The diffusers folder " + folder + " has no tensor for '" + name + "'.";
    }
}
