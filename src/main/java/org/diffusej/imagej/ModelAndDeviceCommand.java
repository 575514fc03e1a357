package org.diffusej.imagej;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Chooses the model (catalog id or file/folder), device and precision of the shared engine, or unloads it. */
@Plugin(type = Command.class, menuPath = "Plugins>DiffuseJ>Model & Device...")
public class ModelAndDeviceCommand extends DiffuseJCommand {

    public static final String LOAD = "Load now", REMEMBER = "Load when first needed", UNLOAD = "Unload";

    @Parameter
    private DiffusionService diffusion;

    @Parameter(label = "Model (catalog id, .safetensors file or diffusers folder)")
    private String model = EngineSettings.DEFAULT.model();

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    private String device = "auto";

    @Parameter(label = "Precision", choices = {"auto", "fp32", "fp16", "bf16"})
    private String precision = "auto";

    @Parameter(label = "Action", choices = {LOAD, REMEMBER, UNLOAD})
    private String action = LOAD;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private String loaded;

    @Override
    protected void execute() throws DiffusionException {
        if (UNLOAD.equals(action)) {
            diffusion.unload();
            loaded = "";
            log.info("DiffuseJ: model unloaded.");
            return;
        }
        diffusion.configure(new EngineSettings(model, device, precision));
        if (LOAD.equals(action)) {
            ModelInfo info = diffusion.model();
            loaded = info.title();
            log.info("DiffuseJ: loaded " + info.title() + " (" + info.family() + (info.inpainting() ? ", inpainting" : "") + ")");
        }
    }
}
