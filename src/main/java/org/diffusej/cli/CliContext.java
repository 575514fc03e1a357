package org.diffusej.cli;

import org.diffusej.engine.CancellationToken;
import org.diffusej.models.ModelResolver;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * What the commands run against: output streams, the engine loader, the model resolver and the cancellation token
 * that Ctrl-C trips. Tests pass their own.
 *
 * @param out     results (file names, {@code --json})
 * @param err     progress and messages
 * @param engines loads models
 * @param models  resolves {@code --model} (created lazily: it reads the environment)
 * @param token   cancels the running job
 * @param tty     true when {@code err} is a terminal (progress bars redraw in place)
 */
public record CliContext(PrintStream out, PrintStream err, EngineLoader engines, Supplier<ModelResolver> models,
                         CancellationToken token, boolean tty) { }
