package org.diffusej.imagej;

/**
 * Where each command sits in Plugins › DiffuseJ (SciJava {@code @Menu weight}: lower first; a jump of more than 1
 * puts a separator between groups): setup, then the generators, then Apply Candidate and Variation Map, then the
 * Krita bridge, then About / System Check.
 */
final class MenuOrder {
    static final String PLUGINS = "Plugins", DIFFUSEJ = "DiffuseJ";

    static final double MODEL = 0;
    static final double INPAINT = 10, RESTYLE = 11, NEW_IMAGE = 12, EXTEND = 13, AUGMENT = 14, DREAM = 15;
    static final double APPLY = 20, VARIATION = 21;
    static final double KRITA_START = 30, KRITA_STOP = 31;
    static final double ABOUT = 40;

    private MenuOrder() { }
}
