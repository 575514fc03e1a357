package org.diffusej.cli;

/**
 * {@code diffusej} with the {@link ArithmeticEngine} stand-in, as a separate process: tests send it SIGINT or
 * call it from shell scripts. {@code -Dstandin.stepDelayMillis=N} slows each step down.
 */
public final class StandInEngineMain {
    private StandInEngineMain() { }

    public static void main(String[] args) {
        ArithmeticEngine engine = new ArithmeticEngine();
        engine.stepDelayMillis = Long.getLong("standin.stepDelayMillis", 0);
        System.exit(DiffuseJ.runWithCtrlC(args, (p, s, l) -> engine));
    }
}
