package org.diffusej.imagej;

/** Gives tests outside this package the package-private {@link PatternEngine}. */
public final class PatternEngines {
    private PatternEngines() { }

    /** A factory that always returns one new pattern engine. */
    public static EngineFactory factory() {
        PatternEngine engine = new PatternEngine();
        return settings -> engine;
    }
}
