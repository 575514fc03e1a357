package org.diffusej.imagej.ij1;

import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scijava.Context;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.MethodCallException;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

/**
 * An ImageJ 1 {@link GenericDialog} for a SciJava command's inputs. Each label starts with the parameter's name (or
 * is "name: label"), so ImageJ 1's Recorder writes the same keys as Fiji and {@link CommandBridge} reads them back.
 */
final class Ij1Dialog {
    private Ij1Dialog() { }

    /** Asks for {@code commandClass}'s inputs; null when the user cancels. */
    static Map<String, Object> ask(Context context, String commandClass) {
        CommandInfo info = context.service(CommandService.class).getCommand(commandClass);
        Module module = context.service(ModuleService.class).createModule(info);
        for (ModuleItem<?> item : info.inputs())
            if (item.getType() == ImagePlus.class) module.setInput(item.getName(), WindowManager.getCurrentImage());
        try {
            module.initialize(); // fills dynamic choices, such as Apply Candidate's layer list
        } catch (MethodCallException e) {
            throw new IllegalStateException(e);
        }
        GenericDialog gd = new GenericDialog("DiffuseJ " + info.getTitle());
        List<ModuleItem<?>> shown = new ArrayList<>();
        for (ModuleItem<?> item : module.getInfo().inputs()) if (asked(item)) shown.add(item);
        if (shown.isEmpty()) return new LinkedHashMap<>();
        for (ModuleItem<?> item : shown) add(gd, item, module.getInput(item.getName()));
        gd.showDialog();
        if (gd.wasCanceled()) return null;
        Map<String, Object> values = new LinkedHashMap<>();
        for (ModuleItem<?> item : shown) values.put(item.getName(), next(gd, item));
        return values;
    }

    /** The label ImageJ 1 records under the parameter's name (its key is the label's first word, lower case). */
    static String label(ModuleItem<?> item) {
        String label = item.getLabel() == null || item.getLabel().isBlank() ? item.getName() : item.getLabel();
        return Macro.trimKey(label).equals(item.getName()) ? label : item.getName() + ": " + label;
    }

    private static boolean asked(ModuleItem<?> item) {
        Class<?> t = item.getType();
        return item.getVisibility() != ItemVisibility.INVISIBLE && item.getVisibility() != ItemVisibility.MESSAGE && !org.scijava.service.Service.class.isAssignableFrom(t) && t != ImagePlus.class
                && (t == String.class || t == File.class || t == boolean.class || t == Boolean.class || Number.class.isAssignableFrom(t)
                || t.isPrimitive());
    }

    private static void add(GenericDialog gd, ModuleItem<?> item, Object value) {
        Class<?> t = item.getType();
        String label = label(item);
        if (t == boolean.class || t == Boolean.class) gd.addCheckbox(label, Boolean.TRUE.equals(value));
        else if (t == File.class) {
            String path = value == null ? "" : value.toString();
            if ("directory".equals(item.getWidgetStyle())) gd.addDirectoryField(label, path);
            else gd.addFileField(label, path);
        } else if (t == String.class && item.getChoices() != null && !item.getChoices().isEmpty()) {
            String[] choices = item.getChoices().stream().map(Object::toString).toArray(String[]::new);
            gd.addChoice(label, choices, value == null ? choices[0] : value.toString());
        } else if (t == String.class) gd.addStringField(label, value == null ? "" : value.toString(), 40);
        else {
            boolean integral = t == int.class || t == long.class || t == Integer.class || t == Long.class;
            gd.addNumericField(label, value == null ? 0 : ((Number) value).doubleValue(), integral ? 0 : 2);
        }
    }

    private static Object next(GenericDialog gd, ModuleItem<?> item) {
        Class<?> t = item.getType();
        if (t == boolean.class || t == Boolean.class) return gd.getNextBoolean();
        if (t == File.class) return gd.getNextString();
        if (t == String.class) return item.getChoices() != null && !item.getChoices().isEmpty() ? gd.getNextChoice() : gd.getNextString();
        return String.valueOf(gd.getNextNumber());
    }
}
