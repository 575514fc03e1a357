package org.diffusej.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry is the only place sampler and schedule names are spelled out in the Java main code. */
class SamplerNamesTest {

    private static List<String> known() {
        List<String> names = new ArrayList<>(SamplerNames.samplers());
        names.addAll(SamplerNames.schedulers());
        return names;
    }

    /** A schedule name that is also a plain word in other A1111 settings: only a list spelling it out counts. */
    private static final String GENERIC_WORD = "Automatic";

    /** A literal that is a name, or that lists two or more (a hand-written copy of the list). */
    static boolean spellsOutNames(String literal, List<String> names) {
        // "Automatic" alone is also A1111's word for "the default" in other settings (sd_vae), not only a schedule
        if (names.contains(literal.strip()) && !literal.strip().equals(GENERIC_WORD)) return true;
        long listed = names.stream().filter(n -> Pattern.compile("(?<![\\w+])" + Pattern.quote(n) + "(?![\\w+])")
                .matcher(literal).find()).count();
        return listed >= 2;
    }

    @Test
    void noSamplerNameLiteralOutsideTheRegistry() throws IOException {
        List<String> names = known(), found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.getFileName().toString().equals("SamplerNames.java")) continue;
                for (String literal : stringLiterals(Files.readString(f)))
                    if (spellsOutNames(literal, names)) found.add(f + ": \"" + literal + "\"");
            }
        }
        assertTrue(found.isEmpty(), "use SamplerNames instead of spelling these out: " + found);
    }

    /** Python: triple-quoted strings, then one-line '...' and "..." literals once full-line comments are gone. */
    private static final Pattern PY_TRIPLE = Pattern.compile("(?s)(\"\"\"|''')(.*?)\\1");
    private static final Pattern PY_LITERAL = Pattern.compile("\"((?:\\\\.|[^\"\\\\\n])*)\"|'((?:\\\\.|[^'\\\\\n])*)'");

    /** The literals of Python source {@code code} that spell out sampler or schedule names. */
    static List<String> pythonLiteralsNaming(String code, List<String> names) {
        List<String> found = new ArrayList<>();
        String rest = code.replaceAll("(?m)^\\s*#.*$", " ");
        Matcher t = PY_TRIPLE.matcher(rest);
        while (t.find()) if (spellsOutNames(t.group(2), names)) found.add(t.group(2));
        Matcher m = PY_LITERAL.matcher(PY_TRIPLE.matcher(rest).replaceAll(" "));
        while (m.find()) {
            String s = m.group(1) != null ? m.group(1) : m.group(2);
            if (spellsOutNames(s, names)) found.add(s);
        }
        return found;
    }

    /** The Krita docker offers the server's list (/sdapi/v1/samplers) and spells out no name of its own. */
    @Test
    void noSamplerNameLiteralInTheKritaPlugin() throws IOException {
        Path plugin = Path.of("krita-bridge", "plugin");
        assertTrue(Files.isDirectory(plugin), "run from the project root: " + plugin.toAbsolutePath());
        List<String> names = known(), found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(plugin)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".py")).toList())
                for (String s : pythonLiteralsNaming(Files.readString(f), names)) found.add(f + ": '" + s + "'");
        }
        assertTrue(found.isEmpty(), "the docker must take these from the server: " + found);
    }

    @Test
    void thePythonCheckSeesLiteralsButNotComments() {
        List<String> names = known();
        assertEquals(List.of("Euler a"), pythonLiteralsNaming("sampler: str = \"Euler a\"  # the default\n", names));
        assertEquals(List.of("DDIM"), pythonLiteralsNaming("x = ('DDIM', 'other')\n", names));
        assertEquals(List.of("Euler, DDIM"), pythonLiteralsNaming("def f():\n    \"\"\"Euler, DDIM\"\"\"\n", names));
        assertTrue(pythonLiteralsNaming("# \"Euler a\" is not offered here\nx = \"server's\"\n", names).isEmpty());
    }

    /**
     * The string literals of Java source, read by a scanner that knows comments, char literals and escapes (a regex
     * mistakes the {@code //} of {@code "http://"} for a comment, and recursed into a stack overflow on the result).
     */
    static List<String> stringLiterals(String code) {
        List<String> out = new ArrayList<>();
        int i = 0, n = code.length();
        while (i < n) {
            char c = code.charAt(i);
            if (code.startsWith("//", i)) i = Math.max(code.indexOf('\n', i), i + 1);
            else if (code.startsWith("/*", i)) i = code.indexOf("*/", i + 2) < 0 ? n : code.indexOf("*/", i + 2) + 2;
            else if (c == '\'' || c == '"') {
                StringBuilder lit = new StringBuilder();
                for (i++; i < n && code.charAt(i) != c; i++) {
                    if (code.charAt(i) == '\\' && i + 1 < n) lit.append(code.charAt(i++));
                    lit.append(code.charAt(i));
                }
                i++;
                if (c == '"') out.add(lit.toString());
            } else i++;
        }
        return out;
    }

    @Test
    void theScannerSkipsCommentsAndSeesUrls() {
        assertEquals(List.of("http://x", "a\\\"b"), stringLiterals("x = \"http://x\"; // \"no\"\n/* \"no\" */ c = '\"'; \"a\\\"b\""));
    }

    @Test
    void theCheckSeesAHandWrittenList() {
        List<String> names = known();
        assertTrue(spellsOutNames("Euler a", names));
        assertTrue(spellsOutNames("Euler a, Euler, DDIM (default: x)", names));
        assertTrue(!spellsOutNames("DDIM cannot run more than 1000 steps", names));
    }

    @Test
    void aliasesLeadToTheirName() {
        for (SamplerNames.Choice c : SamplerNames.choices()) {
            assertEquals(c.name(), SamplerNames.canonical(" " + c.name().toUpperCase() + " ").orElseThrow());
            for (String a : c.aliases()) assertEquals(c.name(), SamplerNames.canonical(a).orElseThrow(), a);
        }
        assertTrue(SamplerNames.canonical("Restart").isEmpty());
    }
}
