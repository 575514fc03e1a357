package org.diffusej.cli;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ProgressListener;

import java.nio.file.Path;

/** Turns a model file or folder into a running engine; the CLI's one dependency on how models are loaded. */
@FunctionalInterface
public interface EngineLoader {
    DiffusionEngine load(Path fileOrFolder, LoaderSettings settings, ProgressListener listener) throws DiffusionException;
}
