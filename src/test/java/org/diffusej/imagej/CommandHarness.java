package org.diffusej.imagej;

import java.util.List;
import org.diffusej.engine.ModelInfo;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.scijava.Context;
import org.scijava.InstantiableException;
import org.scijava.app.StatusService;
import org.scijava.command.CommandInfo;
import org.scijava.prefs.PrefService;
import org.scijava.command.Command;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;
import org.scijava.command.CommandService;
import org.scijava.log.LogLevel;
import org.scijava.log.LogMessage;
import org.scijava.log.LogService;

/** A headless SciJava context with the DiffuseJ service on a given engine, recording every log message. */
final class CommandHarness implements AutoCloseable {
    /** Fiji's stand-in engine: {@link Picture#PATTERN} pixels from an SD1 model "pattern" held in memory. */
    static FakeEngine fakeEngine() {
        return new FakeEngine(Picture.PATTERN, new ModelInfo("pattern", "memory", "0123456789", "SD1", false, false));
    }

    final Context context = new Context(CommandService.class, DiffusionService.class, KritaBridgeService.class, LogService.class,
            StatusService.class, LastingStatus.class);
    final CommandService commands = context.service(CommandService.class);
    final DiffusionService diffusion = context.service(DiffusionService.class);
    final List<LogMessage> log = new CopyOnWriteArrayList<>();

    CommandHarness(EngineFactory factory) {
        forgetRememberedInputs();
        diffusion.setEngineFactory(factory);
        context.service(LogService.class).addLogListener(log::add);
    }

    /** SciJava remembers dialog values per command class; a test must see the declared defaults. */
    private void forgetRememberedInputs() {
        PrefService prefs = context.service(PrefService.class);
        prefs.clear(DiffusionService.class);
        for (CommandInfo info : commands.getCommands())
            if (info.getClassName().startsWith("org.diffusej.imagej.")) {
                try {
                    prefs.clear(info.loadClass());
                } catch (InstantiableException e) {
                    throw new IllegalStateException(e);
                }
            }
    }

    /**
     * Runs a command with pre- and postprocessing, as Fiji does: through the ModuleService, which also runs
     * DynamicCommands (for those, SciJava's CommandService.run returns no future). A CommandModule for plain commands.
     */
    @SuppressWarnings("unchecked")
    <M extends Module> M run(Class<? extends Command> cls, Object... inputs) throws Exception {
        return (M) context.service(ModuleService.class).run(commands.getCommand(cls), true, inputs).get();
    }

    /** Log lines that carry an exception, or are errors: a user-facing problem must produce neither. */
    List<LogMessage> problems() {
        return log.stream().filter(m -> m.throwable() != null || m.level() <= LogLevel.ERROR).toList();
    }

    @Override
    public void close() {
        context.dispose();
    }
}
