package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.OvalRoi;
import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandInfo;
import org.scijava.log.LogLevel;
import org.scijava.module.ModuleItem;

/**
 * What Fiji's legacy (ImageJ 1) UI does with the DiffuseJ commands, checked on their SciJava declarations and on
 * headless runs: no stray output windows, the menu order, the dialog's choices, status lines that stay, and no
 * Console pop-ups for routine news.
 */
class LegacyUiContractTest {
    /**
     * The one output type the legacy UI may display: an {@link ImagePlus}, shown as an image window, which is what
     * a user of "New image" commands expects. Any other output (String, number, File...) is shown by ImageJ2 in a
     * text window of its own (the stray "loaded" window of issue 20): commands report such news in the status bar.
     */
    private static final List<Class<?>> DISPLAYABLE_OUTPUTS = List.of(ImagePlus.class);

    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    private List<CommandInfo> diffuseJCommands() {
        List<CommandInfo> found = h.commands.getCommands().stream()
                .filter(c -> c.getClassName().startsWith("org.diffusej.")).toList();
        assertTrue(found.stream().anyMatch(c -> c.getClassName().equals(ModelAndDeviceCommand.class.getName())),
                "the plugin index lists the DiffuseJ commands: " + found);
        return found;
    }

    @Test
    void noCommandDeclaresAnOutputTheLegacyUiWouldShowInAWindowOfItsOwn() {
        List<String> offending = new ArrayList<>();
        for (CommandInfo c : diffuseJCommands())
            for (ModuleItem<?> out : c.outputs()) // outputs() holds ItemIO.OUTPUT and ItemIO.BOTH items
                if (!DISPLAYABLE_OUTPUTS.contains(out.getType()))
                    offending.add(c.getClassName() + "." + out.getName() + " (" + out.getType().getSimpleName() + ")");
        assertEquals(List.of(), offending);
    }

    @Test
    void menuIsOrderedByWeightWithModelAndDeviceFirst() {
        List<String> order = diffuseJCommands().stream()
                .filter(c -> c.getMenuPath().getMenuString().startsWith("Plugins > DiffuseJ"))
                .sorted(Comparator.comparingDouble(c -> c.getMenuPath().getLeaf().getWeight()))
                .map(c -> c.getMenuPath().getLeaf().getName()).toList();
        assertEquals(List.of("Model & Device...", "Inpaint Selection...", "Restyle Image...", "New Image from Prompt...",
                "Extend Canvas...", "Augment...", "Dream...", "Apply Candidate", "Variation Map...", "Start Krita Bridge...", "Stop Krita Bridge", "About / System Check"), order);
    }

    @Test
    void applyCandidateOffersTheImagesLayersAsChoices() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(32, 32));
        imp.setRoi(new OvalRoi(4, 4, 10, 10));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 3L, "steps", 1, "candidates", 2, "output", "Layers");
        ApplyCandidateCommand m = h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 1 (seed 3)");
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertEquals(List.of(ApplyCandidateCommand.NEWEST, "DiffuseJ inpaint 2 (seed 4)", "DiffuseJ inpaint 1 (seed 3)"),
                m.getInfo().getInput("layer").getChoices());
        ApplyCandidateCommand newest = h.run(ApplyCandidateCommand.class, "imp", imp, "layer", ApplyCandidateCommand.NEWEST);
        assertFalse(newest.isCanceled(), newest.getCancelReason());
        assertTrue(imp.getProp("parameters").contains("Seed: 4"), "the newest choice applies the last candidate");
    }

    @Test
    void theModelCanBeAChosenFileAndTheMacroKeyModelStillWorks() throws Exception {
        File chosen = new File("/data/models/my-model.safetensors");
        h.run(ModelAndDeviceCommand.class, "model", "sd15", "file", chosen, "action", ModelAndDeviceCommand.REMEMBER);
        assertEquals(chosen.getPath(), h.diffusion.settings().model());
        h.run(ModelAndDeviceCommand.class, "model", "sd21", "action", ModelAndDeviceCommand.REMEMBER);
        assertEquals("sd21", h.diffusion.settings().model());
    }

    @Test
    void theClosingStatusComesBackAfterCommandFinished() throws Exception {
        List<String> shown = new CopyOnWriteArrayList<>();
        h.context.service(LastingStatus.class).showWith(shown::add);
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(32, 32));
        imp.setRoi(new OvalRoi(4, 4, 10, 10));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 3L, "steps", 1, "candidates", 2, "output", "Layers");
        long deadline = System.currentTimeMillis() + 10_000; // the runner's status event is delivered asynchronously
        while (shown.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(1, shown.size(), "shown again once, after \"Command finished\": " + shown);
        assertTrue(shown.get(0).startsWith("DiffuseJ inpaint: 2 image(s)"), shown.get(0));
    }

    @Test
    void routineCommandsLogNothingAtInfoOrAboveSoTheConsoleStaysClosed() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(32, 32));
        imp.setRoi(new OvalRoi(4, 4, 10, 10));
        h.run(ModelAndDeviceCommand.class, "model", "sd15", "action", ModelAndDeviceCommand.LOAD);
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 3L, "steps", 1, "candidates", 1, "output", "Layers");
        h.run(RestyleImageCommand.class, "imp", imp, "prompt", "p", "seed", 3L, "steps", 1, "candidates", 1);
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "");
        h.run(NewImageFromPromptCommand.class, "prompt", "p", "steps", 1, "width", 16, "height", 16);
        h.run(StopKritaBridgeCommand.class);
        h.run(ModelAndDeviceCommand.class, "model", "sd15", "action", ModelAndDeviceCommand.UNLOAD);
        assertEquals(List.of(), h.log.stream().filter(m -> m.level() <= LogLevel.INFO).map(m -> m.text()).toList());
        WindowManager.setTempCurrentImage(null);
    }
}
