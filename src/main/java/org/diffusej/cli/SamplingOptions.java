package org.diffusej.cli;

import picocli.CommandLine.Option;

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

    @Option(names = "--sampler", defaultValue = "Euler a",
            description = "Euler a, Euler, DDIM, PLMS, DPM++ 2M, DPM++ 2M Karras, LCM (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--scheduler", description = "Sigma schedule: Automatic or Karras.")
    String scheduler;

    @Option(names = "--cfg", defaultValue = "7", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    double cfg;

    @Option(names = "--clip-skip", defaultValue = "1", description = "CLIP layers to skip from the end (default: 1).")
    int clipSkip;

    @Option(names = "--batch", defaultValue = "1", description = "Images generated together (default: 1).")
    int batch;

    @Option(names = "--count", defaultValue = "1", description = "Batches run one after another (default: 1).")
    int count;
}
