package org.diffusej.imagej.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.GraphicsEnvironment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

/**
 * Runs a DiffuseJ SciJava command from ImageJ 1: macro options ({@code key=value}, {@code key=[a b]}, bare words for
 * booleans; the keys are the command's parameter names, the same keys Fiji records) become the command's inputs, an
 * {@code ImagePlus} input is the current image, and {@code ImagePlus} outputs are shown (batch mode: handed to the
 * macro). A refusal is a message (ImageJ's error dialog, or the Log when headless or in batch mode); the macro goes on.
 */
public final class CommandBridge {
    private CommandBridge() { }

    /**
     * Runs {@code commandClass} in {@code context} with {@code options} (null: the values of {@code asked}, which may
     * be null for the remembered defaults). Returns the cancel reason, or null when the command ran to the end.
     */
    public static String run(Context context, String commandClass, String options, Map<String, Object> asked) {
        CommandInfo info = context.service(CommandService.class).getCommand(commandClass);
        if (info == null) throw new IllegalArgumentException("No SciJava command " + commandClass + " in this context.");
        Map<String, Object> inputs = options != null ? inputs(info, options) : new LinkedHashMap<>(asked == null ? Map.of() : asked);
        for (ModuleItem<?> item : info.inputs())
            if (item.getType() == ImagePlus.class) inputs.put(item.getName(), WindowManager.getCurrentImage());
        try {
            Module m = context.service(ModuleService.class).run(info, true, inputs).get();
            if (m instanceof Cancelable c && c.isCanceled()) {
                tell(c.getCancelReason());
                return c.getCancelReason() == null ? "cancelled" : c.getCancelReason();
            }
            for (ModuleItem<?> out : info.outputs())
                if (m.getOutput(out.getName()) instanceof ImagePlus imp) show(imp);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The command's inputs named in macro {@code options}, as text (SciJava converts them). */
    static Map<String, Object> inputs(CommandInfo info, String options) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (ModuleItem<?> item : info.inputs()) {
            String name = item.getName();
            if (item.getType() == boolean.class || item.getType() == Boolean.class)
                inputs.put(name, Pattern.compile("(^|\\s)" + Pattern.quote(name) + "(\\s|$)").matcher(options).find());
            else {
                String v = Macro.getValue(options, name, null);
                if (v != null) inputs.put(name, v);
            }
        }
        return inputs;
    }

    private static void show(ImagePlus imp) {
        if (Interpreter.isBatchMode() || GraphicsEnvironment.isHeadless()) {
            if (Interpreter.isBatchMode()) Interpreter.addBatchModeImage(imp);
            WindowManager.setTempCurrentImage(imp);
        } else imp.show();
    }

    private static void tell(String reason) {
        if (reason == null) return;
        if (Interpreter.isBatchMode() || GraphicsEnvironment.isHeadless()) IJ.log(reason);
        else IJ.error("DiffuseJ", reason);
    }
}
