package org.diffusej.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** A literal that is a name, or that lists two or more (a hand-written copy of the list). */
    static boolean spellsOutNames(String literal, List<String> names) {
        if (names.contains(literal.strip())) return true;
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
