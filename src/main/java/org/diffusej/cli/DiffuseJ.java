package org.diffusej.cli;

import org.diffusej.engine.CancellationToken;
import org.diffusej.models.ModelResolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code diffusej} command line: {@code txt2img | img2img | inpaint | outpaint | augment | dream | serve |
 * models | bench | doctor}. Exit codes: see {@link ExitCode}.
 */
@Command(name = "diffusej", mixinStandardHelpOptions = true, versionProvider = DiffuseJ.Version.class,
        description = "Stable Diffusion in Java: paint, restyle and repaint images from the command line.",
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 input, 4 model, 5 broken (doctor), 6 out of memory, "
                        + "130 cancelled.",
                "Models: --model takes a catalog id (downloaded once into ~/.cache/diffusej or $DIFFUSEJ_HOME), "
                        + "a .safetensors file or a diffusers folder."},
        subcommands = {Txt2ImgCommand.class, Img2ImgCommand.class, InpaintCommand.class, OutpaintCommand.class,
                AugmentFilesCommand.class, DreamFramesCommand.class, ServeCommand.class, ModelsCommand.class, BenchCommand.class,
                DoctorCommand.class})
public final class DiffuseJ implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command, e.g. `diffusej txt2img -p \"a cat\"`.");
    }

    /** Runs the CLI and exits; Ctrl-C cancels the running job, keeps finished images and exits with 130. */
    public static void main(String[] args) {
        System.exit(runWithCtrlC(args, PipelineEngineLoader::load));
    }

    /**
     * Runs one command line on the real console with a shutdown hook that turns Ctrl-C (SIGINT/SIGTERM) into a
     * cancellation: the hook waits until the command has written what it finished, so no half-written files and
     * no stack trace; the JVM then exits with 130.
     */
    static int runWithCtrlC(String[] args, EngineLoader engines) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true")); // natives come from the jar
        // DJL logs through SLF4J; without a logging backend SLF4J would warn about that on every run
        System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "ERROR"));
        CancellationToken token = new CancellationToken();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            token.cancel();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "diffusej-cancel"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        CliContext ctx = new CliContext(out, err, engines, ModelResolver::fromEnvironment, token, tty);
        try {
            return execute(ctx, args);
        } finally {
            finished.countDown();
        }
    }

    /** Runs one command line against {@code ctx}; returns the exit code. */
    public static int execute(CliContext ctx, String... args) {
        CommandLine cl = new CommandLine(new DiffuseJ(), new ContextFactory(ctx));
        cl.setOut(new java.io.PrintWriter(ctx.out(), true));
        cl.setErr(new java.io.PrintWriter(ctx.err(), true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ctx, ex));
        try {
            return cl.execute(args);
        } catch (Throwable t) { // Errors (OutOfMemoryError, StackOverflowError) pass picocli's handler
            return report(ctx, t);
        }
    }

    /**
     * One sentence on stderr and the exit code for {@code t}; the stack trace only with {@code DIFFUSEJ_DEBUG=1}
     * (or {@code -Ddiffusej.debug=true}).
     */
    static int report(CliContext ctx, Throwable t) {
        int code = ExitCode.of(t);
        boolean own = code != ExitCode.INTERNAL && code != ExitCode.MEMORY;
        ctx.err().println(own ? t.getMessage() : ExitCode.sentence(t));
        if ("1".equals(System.getenv("DIFFUSEJ_DEBUG")) || Boolean.getBoolean("diffusej.debug")) t.printStackTrace(ctx.err());
        return code;
    }

    /** Creates commands, handing the context to those that take one. */
    private static final class ContextFactory implements CommandLine.IFactory {
        private final CliContext ctx;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        ContextFactory(CliContext ctx) { this.ctx = ctx; }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(CliContext.class);
                c.setAccessible(true);
                return c.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DiffuseJ.class.getPackage().getImplementationVersion();
            return new String[] {"DiffuseJ " + (v == null ? "(development build)" : v)};
        }
    }
}
