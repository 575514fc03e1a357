package org.diffusej.imagej.ij1;

import ij.IJ;
import ij.Macro;
import ij.Menus;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;
import java.awt.HeadlessException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import org.diffusej.imagej.ApplyCandidateCommand;
import org.diffusej.imagej.AugmentCommand;
import org.diffusej.imagej.DiffusionService;
import org.diffusej.imagej.DreamCommand;
import org.diffusej.imagej.ExtendCanvasCommand;
import org.diffusej.imagej.InpaintSelectionCommand;
import org.diffusej.imagej.KritaBridgeService;
import org.diffusej.imagej.LastingStatus;
import org.diffusej.imagej.ModelAndDeviceCommand;
import org.diffusej.imagej.NewImageFromPromptCommand;
import org.diffusej.imagej.RestyleImageCommand;
import org.diffusej.imagej.StartKritaBridgeCommand;
import org.diffusej.imagej.StopKritaBridgeCommand;
import org.diffusej.imagej.SystemCheckCommand;
import org.diffusej.imagej.VariationMapCommand;
import org.scijava.Context;
import org.scijava.app.StatusService;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;
import org.scijava.plugin.DefaultPluginFinder;
import org.scijava.plugin.PluginIndex;
import org.scijava.service.Service;

/**
 * The ImageJ 1 face of DiffuseJ (plain ImageJ without ImageJ2): {@code plugins.config} lists one menu entry per
 * command with this class and a short argument ({@code "inpaint"}, {@code "apply"}...). It runs the same SciJava
 * command as Fiji, in a SciJava context of its own made on first use. Macro options are the command's parameter
 * names; without options an ImageJ 1 dialog asks ({@link Ij1Dialog}). In Fiji the legacy layer replaces these
 * entries by the SciJava commands of the same label (it logs "Overriding …"), so each command shows once.
 */
public class DiffuseJPlugIn implements PlugIn {
    /** The {@code plugins.config} argument of each command. */
    public static final Map<String, Class<?>> COMMANDS = Map.ofEntries(
            Map.entry("model", ModelAndDeviceCommand.class), Map.entry("inpaint", InpaintSelectionCommand.class),
            Map.entry("restyle", RestyleImageCommand.class), Map.entry("new", NewImageFromPromptCommand.class),
            Map.entry("extend", ExtendCanvasCommand.class), Map.entry("augment", AugmentCommand.class),
            Map.entry("dream", DreamCommand.class), Map.entry("apply", ApplyCandidateCommand.class),
            Map.entry("variation", VariationMapCommand.class), Map.entry("krita-start", StartKritaBridgeCommand.class),
            Map.entry("krita-stop", StopKritaBridgeCommand.class), Map.entry("about", SystemCheckCommand.class));

    private static final Pattern ENTRY = Pattern.compile("^Plugins>DiffuseJ, \"([^\"]+)\", (\\S+\\(\"[^\"]+\"\\))$");
    private static Context context;

    @Override
    public void run(String arg) {
        Class<?> command = COMMANDS.get(arg);
        if (command == null) throw new IllegalArgumentException("Unknown DiffuseJ command \"" + arg + "\"; known: " + COMMANDS.keySet());
        String options = Macro.getOptions();
        Context ctx = context();
        Map<String, Object> asked = null;
        if (options == null && !GraphicsEnvironment.isHeadless()) {
            asked = Ij1Dialog.ask(ctx, command.getName());
            if (asked == null) return; // cancelled
        }
        CommandBridge.run(ctx, command.getName(), options, asked);
    }

    /**
     * Puts the entries of DiffuseJ's plugins.config into ImageJ 1's command table where they are missing. ImageJ 1
     * reads plugins.config while it builds its menu bar, which a headless JVM cannot: there, a macro starts with
     * {@code call("org.diffusej.imagej.ij1.DiffuseJPlugIn.installCommands");} and then {@code run("Inpaint
     * Selection...", ...)} works. Returns how many entries were added.
     */
    @SuppressWarnings("unchecked")
    public static synchronized String installCommands() {
        if (Menus.getCommands() == null) {
            try {
                IJ.run("Collect Garbage"); // ImageJ 1 builds its command table first; headless, it then fails on the menu bar
            } catch (HeadlessException expected) {
                // the command table exists now, which is all macros need
            }
        }
        Hashtable<String, String> table = Menus.getCommands();
        int added = 0;
        try (InputStream in = DiffuseJPlugIn.class.getResourceAsStream("/plugins.config")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = ENTRY.matcher(line.strip());
                if (m.matches() && !table.containsKey(m.group(1))) {
                    table.put(m.group(1), m.group(2));
                    added++;
                }
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("DiffuseJ's plugins.config cannot be read from its jar.", e);
        }
        return String.valueOf(added);
    }

    /**
     * The SciJava context DiffuseJ runs in under plain ImageJ 1, made on first use with the services the commands
     * need; plugins are found through this jar's class loader (ImageJ 1's plugin class loader).
     */
    public static synchronized Context context() {
        if (context == null) {
            List<Class<? extends Service>> services = List.of(CommandService.class, DiffusionService.class,
                    KritaBridgeService.class, LogService.class, StatusService.class, LastingStatus.class);
            context = new Context(services, new PluginIndex(new DefaultPluginFinder(DiffuseJPlugIn.class.getClassLoader())));
        }
        return context;
    }
}
