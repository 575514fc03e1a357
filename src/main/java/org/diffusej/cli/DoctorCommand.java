package org.diffusej.cli;

import org.diffusej.diagnostics.ReportJson;
import org.diffusej.diagnostics.ReportText;
import org.diffusej.diagnostics.SystemCheck;
import org.diffusej.diagnostics.SystemReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code diffusej doctor}: the system check ({@link SystemCheck}) as one screen of text or as JSON. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this computer for DiffuseJ: CPU and its flags, the precision auto chooses and why, "
                + "memory, libtorch and GPU, Java, cached models and settings. Paste the output into bug reports.",
                "Exits with 5 when something is broken."})
final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the report as JSON.") boolean json;

    private final CliContext ctx;

    DoctorCommand(CliContext ctx) { this.ctx = ctx; }

    @Override
    public Integer call() {
        SystemReport report = SystemCheck.standard(() -> ctx.models().get().settings()).run();
        if (json) ctx.out().println(ReportJson.render(report));
        else ctx.out().print(ReportText.render(report));
        return report.broken() ? ExitCode.BROKEN : ExitCode.OK;
    }
}
