package org.diffusej.imagej.ij1;

import ij.IJ;
import ij.Menus;
import org.diffusej.imagej.DiffusionService;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;

/**
 * A plain, headless ImageJ 1 session in a JVM of its own (no ImageJ2, no legacy layer): the bridge's context gets
 * the test engine, then {@code args[0]} runs as a macro. Prints the macro's return value and then the command
 * table entry of "Inpaint Selection...".
 */
public final class PlainImageJ1Main {
    private PlainImageJ1Main() { }

    public static void main(String[] args) {
        FakeEngine engine = new FakeEngine(Picture.PATTERN, "pattern");
        DiffuseJPlugIn.context().service(DiffusionService.class).setEngineFactory(settings -> engine);
        System.out.println("result=" + IJ.runMacro(args[0]));
        System.out.println("entry=" + Menus.getCommands().get("Inpaint Selection..."));
        System.exit(0);
    }
}
