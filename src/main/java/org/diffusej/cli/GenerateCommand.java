package org.diffusej.cli;

import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** What every generating subcommand shares: model, prompt/sampler and output options, validation, seeds. */
abstract class GenerateCommand implements Callable<Integer> {
    @Mixin ModelLoadOptions model;
    @Mixin SamplingOptions sampling;
    @Mixin OutputOptions output;
    @Mixin LoraOptions loras;
    @Spec CommandSpec spec;

    final CliContext ctx;

    GenerateCommand(CliContext ctx) { this.ctx = ctx; }

    /** A usage error (exit code 2) with picocli's usage hint. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Checks the shared options; subclasses add theirs. */
    void validate() {
        if (sampling.steps < 1 || sampling.steps > 1000) throw usage("--steps must be between 1 and 1000.");
        if (sampling.cfg < 0 || sampling.cfg > 100) throw usage("--cfg must be between 0 and 100.");
        if (sampling.batch < 1 || sampling.count < 1) throw usage("--batch and --count must be at least 1.");
        if (sampling.clipSkip < 1 || sampling.clipSkip > 12) throw usage("--clip-skip must be between 1 and 12.");
        if (sampling.spacing != null && !List.of("leading", "trailing", "linspace").contains(sampling.spacing))
            throw usage("--spacing must be leading, trailing or linspace.");
        if (model.threads < 0) throw usage("--threads must not be negative.");
        if (!List.of("auto", "cpu", "gpu").contains(model.device)) throw usage("--device must be auto, cpu or gpu.");
        if (!List.of("auto", "fp32", "fp16", "bf16").contains(model.precision))
            throw usage("--precision must be auto, fp32, fp16 or bf16.");
        try {
            loras.uses();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    void checkStrength(double strength) {
        if (strength < 0 || strength > 1) throw usage("--strength must be between 0 and 1.");
    }

    void checkSize(Integer width, Integer height) {
        for (Integer v : new Integer[] {width, height})
            if (v != null && (v < 8 || v > 4096 || v % 8 != 0))
                throw usage("--width and --height must be multiples of 8 between 8 and 4096.");
    }

    /** A request with the shared options filled in. */
    Request.Builder request(Mode mode, long seed) {
        return Request.builder(mode).prompt(loras.prompt(sampling.prompt)).negativePrompt(sampling.negative).steps(sampling.steps)
                .sampler(sampling.sampler).scheduler(sampling.scheduler).timestepSpacing(sampling.spacing).cfgScale(sampling.cfg).seed(seed)
                .batchSize(sampling.batch).batchCount(sampling.count).clipSkip(sampling.clipSkip);
    }

    /** The seeds of the images one request makes: {@code seed + k}. */
    List<Long> seeds(long seed) {
        List<Long> s = new ArrayList<>();
        for (int k = 0; k < sampling.batch * sampling.count; k++) s.add(seed + k);
        return s;
    }

    static String stem(Path file) {
        String f = file.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
