package org.diffusej.imagej;

import java.io.File;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * Chooses the model (catalog id, or a file/folder picked with Browse), device and precision of the shared engine,
 * or unloads it, and the LoRA folder prompt tags {@code <lora:name:mult>} look in (changing only the folder keeps the
 * model loaded). Macro keys: {@code model device precision loras action}, and {@code file} (wins over {@code model}).
 * The loaded model is reported in the status bar: the command declares no output for the UI to display.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Model & Device...", weight = MenuOrder.MODEL)})
public class ModelAndDeviceCommand extends DiffuseJCommand {

    public static final String LOAD = "Load now", REMEMBER = "Load when first needed", UNLOAD = "Unload";

    @Parameter
    private DiffusionService diffusion;

    @Parameter(label = "Model (catalog id, .safetensors file or diffusers folder)")
    private String model = EngineSettings.DEFAULT.model();

    // Not remembered: the chosen path is copied into "model" (which is), so a later macro's model= is not overridden.
    @Parameter(label = "...or choose a file/folder", style = FileWidget.FILE_AND_DIRECTORY_STYLE, required = false,
            persist = false, callback = "fileChosen")
    private File file;

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    private String device = "auto";

    @Parameter(label = "Precision", choices = {"auto", "fp32", "fp16", "bf16"})
    private String precision = "auto";

    @Parameter(label = "LoRA folder (for <lora:name:1> in prompts; optional)", style = FileWidget.DIRECTORY_STYLE,
            required = false)
    private File loras;

    @Parameter(label = "TAESD for live previews (file or folder, empty = none)", required = false)
    private String taesd = "";

    @Parameter(label = "VAE instead of the model's (file or folder, e.g. SDXL fp16-fix; empty = the model's)",
            required = false)
    private String vae = "";

    @Parameter(label = "Action", choices = {LOAD, REMEMBER, UNLOAD})
    private String action = LOAD;

    /** Dialog callback: a chosen file or folder becomes the model text. */
    protected void fileChosen() {
        if (file != null && !file.getPath().isBlank()) model = file.getPath();
    }

    @Override
    protected void execute() throws DiffusionException {
        if (UNLOAD.equals(action)) {
            diffusion.unload();
            report("DiffuseJ: model unloaded.");
            return;
        }
        fileChosen();
        String folder = loras == null ? "" : loras.getPath().trim();
        if (!folder.isEmpty() && !new File(folder).isDirectory())
            throw new org.diffusej.engine.InvalidRequestException("The LoRA folder " + folder + " does not exist "
                    + "(choose the folder that holds your LoRA .safetensors files, or leave it empty).");
        diffusion.configure(new EngineSettings(model, device, precision, folder, taesd, vae));
        if (LOAD.equals(action)) {
            ModelInfo info = diffusion.model();
            report("DiffuseJ: loaded " + info.title() + " (" + info.family() + (info.inpainting() ? ", inpainting" : "") + ")");
        }
    }
}
