package org.diffusej.cli;

import org.diffusej.bench.Benchmark;
import org.diffusej.bench.BenchmarkOptions;
import org.diffusej.bench.BenchmarkReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code diffusej bench}: the shipped benchmark ({@link Benchmark}); its options pass through unchanged. */
@Command(name = "bench", description = {"Time text encoding, UNet steps and VAE decoding of SD 1.5 "
        + "(random weights, no download).", BenchmarkOptions.USAGE})
final class BenchCommand implements Callable<Integer> {
    @Unmatched List<String> args = new ArrayList<>();
    @Spec CommandSpec spec;

    private final CliContext ctx;

    BenchCommand(CliContext ctx) { this.ctx = ctx; }

    @Override
    public Integer call() throws Exception {
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchmarkReport report = new Benchmark(options).run(ctx.err()::println);
        ctx.out().print(report.table());
        if (options.json() != null) {
            report.write(options.json());
            ctx.out().println("JSON report: " + options.json());
        }
        return ExitCode.OK;
    }
}
