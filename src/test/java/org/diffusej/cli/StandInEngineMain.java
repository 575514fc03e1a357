package org.diffusej.cli;

import org.diffusej.testing.FakeEngine;


/**
 * {@code diffusej} with the {@link FakeEngine} stand-in, as a separate process: tests send it SIGINT or
 * call it from shell scripts. {@code -Dstandin.stepDelayMillis=N} slows each step down.
 */
public final class StandInEngineMain {
    private StandInEngineMain() { }

    public static void main(String[] args) {
        FakeEngine engine = CliHarness.fakeEngine();
        engine.stepMillis(Long.getLong("standin.stepDelayMillis", 0));
        System.exit(DiffuseJ.runWithCtrlC(args, (p, s, l) -> engine));
    }
}
