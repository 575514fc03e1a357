package org.diffusej.cli;

import org.diffusej.engine.SamplerNames;
import picocli.CommandLine.Option;

import java.util.Iterator;

/** Prompt and sampler options (A1111 defaults). */
public final class SamplingOptions {
    @Option(names = {"-p", "--prompt"}, defaultValue = "", paramLabel = "TEXT",
            description = "What to paint; A1111 emphasis syntax (word:1.2) works.")
    String prompt;

    @Option(names = {"-n", "--negative"}, defaultValue = "", paramLabel = "TEXT", description = "What to avoid.")
    String negative;

    @Option(names = "--seed", defaultValue = "-1", description = "Random seed; -1 picks one (printed and recorded).")
    long seed;

    @Option(names = "--steps", defaultValue = "20", description = "Sampler steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--sampler", defaultValue = SamplerNames.DEFAULT, completionCandidates = SamplerCandidates.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--scheduler", completionCandidates = SchedulerCandidates.class,
            description = "Sigma schedule: ${COMPLETION-CANDIDATES}.")
    String scheduler;

    @Option(names = "--spacing", paramLabel = "leading|trailing|linspace",
            description = "Timestep spacing (diffusers' timestep_spacing); default: the model's scheduler config "
                    + "(SD: leading). SD-Turbo wants trailing.")
    String spacing;

    @Option(names = "--cfg", defaultValue = "7", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    double cfg;

    @Option(names = "--clip-skip", defaultValue = "1", description = "CLIP layers to skip from the end (default: 1).")
    int clipSkip;

    @Option(names = "--batch", defaultValue = "1", description = "Images generated together (default: 1).")
    int batch;

    @Option(names = "--count", defaultValue = "1", description = "Batches run one after another (default: 1).")
    int count;

    /** The engine's sampler names, as picocli completion candidates (and the help text's list). */
    static final class SamplerCandidates implements Iterable<String> {
        @Override public Iterator<String> iterator() { return SamplerNames.samplers().iterator(); }
    }

    /** The engine's sigma schedule names, as picocli completion candidates. */
    static final class SchedulerCandidates implements Iterable<String> {
        @Override public Iterator<String> iterator() { return SamplerNames.schedulers().iterator(); }
    }
}
