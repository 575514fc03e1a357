package org.diffusej.cli;

import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.models.ModelDownloadException;
import org.diffusej.models.ModelNotAvailableException;
import picocli.CommandLine;

/**
 * The process exit codes of {@code diffusej}, for scripts:
 * 0 success, 1 internal error (a bug: please report), 2 usage (bad or missing options), 3 input (an image, mask or
 * output path cannot be used, or the request is invalid), 4 model (not found, download failed, not a usable
 * checkpoint), 5 broken (the system check, {@code diffusej doctor}, found a problem), 6 memory (the job or an
 * input did not fit in memory), 130 cancelled (Ctrl-C; finished images are kept).
 */
public final class ExitCode {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int USAGE = 2;
    public static final int INPUT = 3;
    public static final int MODEL = 4;
    public static final int BROKEN = 5;
    public static final int MEMORY = 6;
    public static final int CANCELLED = 130;

    private ExitCode() { }

    /** The exit code for a failure. */
    public static int of(Throwable t) {
        if (t instanceof CommandLine.ParameterException) return USAGE;
        if (t instanceof CancelledException) return CANCELLED;
        if (t instanceof ModelNotAvailableException || t instanceof ModelDownloadException
                || t instanceof InvalidCheckpointException) return MODEL;
        if (t instanceof DiffusionException) return INPUT;
        if (t instanceof OutOfMemoryError) return MEMORY;
        return INTERNAL;
    }

    /** One sentence for a failure that is not a {@link DiffusionException} (those carry their own message). */
    public static String sentence(Throwable t) {
        if (t instanceof OutOfMemoryError)
            return "Out of memory (" + t.getMessage() + "): choose a smaller size or batch, or give Java more memory "
                    + "(e.g. JAVA_OPTS=-Xmx16g).";
        if (t instanceof StackOverflowError)
            return "Internal error: the stack overflowed (an input nested too deeply?). Please report it; "
                    + "DIFFUSEJ_DEBUG=1 prints the trace.";
        return "Internal error (a bug in DiffuseJ, please report it): " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ". DIFFUSEJ_DEBUG=1 prints the trace.";
    }
}
