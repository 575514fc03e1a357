package org.diffusej.cli;

/** {@code diffusej} with a slow stand-in engine, run as a separate process so a test can send it SIGINT. */
public final class SlowEngineMain {
    private SlowEngineMain() { }

    public static void main(String[] args) {
        ArithmeticEngine engine = new ArithmeticEngine();
        engine.stepDelayMillis = 250;
        System.exit(DiffuseJ.runWithCtrlC(args, (p, s, l) -> engine));
    }
}
