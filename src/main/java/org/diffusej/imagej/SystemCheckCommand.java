package org.diffusej.imagej;

import ij.IJ;
import ij.text.TextWindow;
import org.diffusej.diagnostics.Probe;
import org.diffusej.diagnostics.ReportText;
import org.diffusej.diagnostics.SystemCheck;
import org.diffusej.diagnostics.SystemReport;
import org.diffusej.models.ModelSettings;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Plugin;

import java.awt.Font;
import java.awt.GraphicsEnvironment;

/**
 * About / System Check: the report of {@code diffusej doctor} plus Fiji's model settings, in a text window (headless:
 * in the log). Declares no outputs, so the legacy UI opens no extra window.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "About / System Check", weight = MenuOrder.ABOUT)})
public class SystemCheckCommand extends DiffuseJCommand {
    /** Title of the report's window. */
    public static final String TITLE = "DiffuseJ System Check";

    @Parameter
    private DiffusionService diffusion;

    @Override
    protected void execute() {
        SystemReport report = SystemCheck.standard(ModelSettings::fromEnvironment)
                .with(new Probe("fiji", "Fiji", () -> FijiSection.of(diffusion))).run();
        String text = ReportText.render(report);
        String status = report.broken() ? "DiffuseJ: the system check found a problem (see " + TITLE + ")."
                : "DiffuseJ: system check OK.";
        boolean headless = ui != null ? ui.isHeadless() : GraphicsEnvironment.isHeadless();
        if (headless) {
            if (report.broken()) log.warn(text);
            else log.info(text);
        } else {
            TextWindow window = new TextWindow(TITLE, text, 760, 720);
            window.getTextPanel().setFont(new Font(Font.MONOSPACED, Font.PLAIN, 12), true);
        }
        IJ.showStatus(status);
    }
}
