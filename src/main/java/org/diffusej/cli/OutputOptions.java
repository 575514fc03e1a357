package org.diffusej.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where results go and how the command talks. */
public final class OutputOptions {
    @Option(names = {"-o", "--out"}, paramLabel = "PATH",
            description = "Output .png/.tif file, or a folder (default: the current folder).")
    Path out;

    @Option(names = "--force", description = "Replace existing output files.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress or messages on stderr (errors still shown).")
    boolean quiet;

    @Option(names = "--preview", paramLabel = "FILE",
            description = "Rewrite this PNG after every step with a preview of the image (TAESD, up to 384 px, with --taesd or --taesd-previews).")
    Path preview;

    @Option(names = "--json", description = "Print the result record as JSON on stdout.")
    boolean json;
}
