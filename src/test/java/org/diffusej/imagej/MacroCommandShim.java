package org.diffusej.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Menus;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import java.awt.HeadlessException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.diffusej.imagej.ij1.CommandBridge;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.Cancelable;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

/**
 * Test stand-in for Fiji's imagej-legacy macro bridge (not on Maven Central): registers every
 * {@code Plugins>DiffuseJ>…} SciJava command under its menu label in ImageJ 1's command table, so that a macro's
 * {@code run("Inpaint Selection...", "prompt=[a cat] seed=42")} reaches {@link #run}, which hands it to DiffuseJ's
 * own ImageJ 1 bridge ({@link CommandBridge}: option keys are parameter names, the current image is the
 * {@code ImagePlus} input, outputs become the macro's images) in the test's context — what the legacy layer does in Fiji.
 * Not exercised by it: Fiji's dialogs, recording, and the legacy layer's own option parsing.
 */
public final class MacroCommandShim implements PlugIn {
    private static volatile Context context;
    /** Cancel reasons of commands run through the shim (the macro itself carries on, as in Fiji). */
    static final List<String> refusals = new CopyOnWriteArrayList<>();

    /** Makes the DiffuseJ commands of {@code ctx} callable from macros run in this JVM. */
    static void install(Context ctx) {
        context = ctx;
        refusals.clear();
        if (Menus.getCommands() == null) {
            try {
                // IJ.run initialises ImageJ 1: it builds the command table, then fails on the AWT menu bar when headless
                IJ.run("DiffuseJ macro shim: initialise the command table");
            } catch (HeadlessException expected) {
                // the command table exists now, which is all macros need
            }
        }
        for (CommandInfo info : ctx.service(CommandService.class).getCommands()) {
            if (info.getMenuPath() == null || !info.getMenuPath().getMenuString().startsWith("Plugins > DiffuseJ")) continue;
            Menus.getCommands().put(info.getMenuPath().getLeaf().getName(),
                    MacroCommandShim.class.getName() + "(\"" + info.getClassName() + "\")");
        }
    }

    @Override
    public void run(String commandClass) {
        String reason = CommandBridge.run(context, commandClass, Macro.getOptions(), null); // DiffuseJ's own IJ1 bridge
        if (reason != null) refusals.add(reason);
    }
}
