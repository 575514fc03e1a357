package org.diffusej.imagej.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;

/**
 * DiffuseJ in plain ImageJ 1: plugins.config matches the SciJava menu (so Fiji's legacy layer overrides each entry
 * instead of adding a second one), and a macro in a plain ImageJ 1 JVM reaches the commands through the jar's
 * plugins.config.
 */
class Ij1BridgeTest {
    private static final Pattern ENTRY = Pattern.compile("^Plugins>DiffuseJ, \"([^\"]+)\", " + Pattern.quote(DiffuseJPlugIn.class.getName())
            + "\\(\"([^\"]+)\"\\)$");

    private static List<String[]> entries() throws Exception {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = DiffuseJPlugIn.class.getResourceAsStream("/plugins.config")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                Matcher m = ENTRY.matcher(line.strip());
                assertTrue(m.matches(), "a plugins.config entry of the bridge: " + line);
                out.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return out;
    }

    @Test
    void pluginsConfigListsEverySciJavaCommandOnceWithItsLabelInMenuOrder() throws Exception {
        List<String[]> entries = entries();
        Context context = new Context(CommandService.class);
        try {
            List<CommandInfo> commands = context.service(CommandService.class).getCommands().stream()
                    .filter(c -> c.getMenuPath() != null && c.getMenuPath().getMenuString().startsWith("Plugins > DiffuseJ"))
                    .sorted(Comparator.comparingDouble(c -> c.getMenuPath().getLeaf().getWeight())).toList();
            assertEquals(commands.stream().map(c -> c.getMenuPath().getLeaf().getName()).toList(),
                    entries.stream().map(e -> e[0]).toList(), "same labels, same order as Fiji's menu");
            for (int i = 0; i < entries.size(); i++)
                assertEquals(commands.get(i).getClassName(), DiffuseJPlugIn.COMMANDS.get(entries.get(i)[1]).getName(),
                        "the entry \"" + entries.get(i)[0] + "\" runs the command of that label");
            assertEquals(DiffuseJPlugIn.COMMANDS.size(), entries.size());
        } finally {
            context.dispose();
        }
    }

    /**
     * Headless ImageJ 1 (1.54p) cannot build its menu bar, so it never reads any plugins.config: the command table
     * stays empty and {@code run("Inpaint Selection...")} would be "Unrecognized command". A macro's first line
     * {@code call("...DiffuseJPlugIn.installCommands")} puts the entries in; with a display, the menu bar does it.
     */
    @Test
    void aMacroInHeadlessPlainImageJ1ReachesTheCommandsAfterInstallCommands() throws Exception {
        String macro = "n = call('" + DiffuseJPlugIn.class.getName() + ".installCommands');"
                + "setBatchMode(true); newImage('x', '8-bit ramp', 64, 48, 1); makeOval(10, 8, 30, 20);"
                + "run('Inpaint Selection...', 'prompt=[a cell] seed=1 steps=1 candidates=2 output=Layers');"
                + "layers = Overlay.size;"
                + "run('Apply Candidate', 'layer=[DiffuseJ inpaint 2 (seed 2)]');"
                + "return n + ' ' + layers + ' ' + Overlay.size + ' ' + Property.get('DiffuseJ.synthetic.seed');";
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                PlainImageJ1Main.class.getName(), macro).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String out = String.join("\n", lines);
        assertTrue(lines.contains("result=" + DiffuseJPlugIn.COMMANDS.size() + " 2 3 2"),
                "all entries installed; two layers, then one synthetic ROI more; seed of layer 2:\n" + out);
        assertTrue(lines.contains("entry=" + DiffuseJPlugIn.class.getName() + "(\"inpaint\")"), out);
    }
}
