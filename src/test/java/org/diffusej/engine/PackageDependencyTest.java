package org.diffusej.engine;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine's packages depend on each other one way only, and on no face: read from the import statements (and
 * fully qualified names in code) of {@code src/main/java}, so a cycle fails the build.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src", "main", "java");
    private static final String ENGINE = "org.diffusej.engine";
    private static final List<String> FACES = List.of("org.diffusej.imagej", "org.diffusej.bridge", "org.diffusej.cli",
            "org.diffusej.bench", "org.diffusej.models", "org.diffusej.imglib2");
    /** The engine root is the faces' API; pipeline internals, A1111 text and the runtime live in sub-packages. */
    private static final int MAX_ROOT_FILES = 20;
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\b(org\\.diffusej(?:\\.[a-z]\\w*)*)\\.[A-Z]\\w*");

    /** package -> the org.diffusej packages its files use, each with one file that shows it. */
    private static final Map<String, Map<String, Path>> uses = new TreeMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        assertTrue(Files.isDirectory(MAIN), "run from the project root: " + MAIN.toAbsolutePath());
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(PackageDependencyTest::read);
        }
    }

    private static void read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher pm = PACKAGE.matcher(text);
        if (!pm.find()) fail(file + " has no package statement");
        String pkg = pm.group(1);
        Map<String, Path> used = uses.computeIfAbsent(pkg, p -> new TreeMap<>());
        Matcher im = IMPORT.matcher(text);
        while (im.find()) addUse(used, pkg, packageOf(im.group(1)), file);
        Matcher qm = QUALIFIED.matcher(withoutCommentsAndStrings(text.substring(pm.end())).replaceAll("(?m)^import .*$", ""));
        while (qm.find()) addUse(used, pkg, qm.group(1), file);
    }

    private static void addUse(Map<String, Path> used, String pkg, String target, Path file) {
        if (target.startsWith("org.diffusej") && !target.equals(pkg)) used.putIfAbsent(target, file);
    }

    /** The package of an imported name: everything before the first capitalised segment. */
    private static String packageOf(String imported) {
        StringBuilder pkg = new StringBuilder();
        for (String part : imported.split("\\.")) {
            if (Character.isUpperCase(part.charAt(0))) break;
            if (!pkg.isEmpty()) pkg.append('.');
            pkg.append(part);
        }
        return pkg.toString();
    }

    /** String and char literals (one line each) and comments, in one left-to-right pass: "http://" is a string. */
    private static final Pattern NOISE = Pattern.compile(
            "\"(?:\\\\.|[^\"\\\\\n])*\"|'(?:\\\\.|[^'\\\\\n])*'|//[^\n]*|(?s:/\\*.*?\\*/)");

    private static String withoutCommentsAndStrings(String code) {
        return NOISE.matcher(code).replaceAll(m -> m.group().startsWith("\"") ? "\"\"" : " ");
    }

    private static boolean inEngine(String pkg) {
        return pkg.equals(ENGINE) || pkg.startsWith(ENGINE + ".");
    }

    @Test
    void engineKnowsNoFace() {
        List<String> bad = new ArrayList<>();
        uses.forEach((pkg, used) -> {
            if (!inEngine(pkg)) return;
            used.forEach((target, file) -> {
                if (FACES.stream().anyMatch(face -> target.equals(face) || target.startsWith(face + ".")))
                    bad.add(pkg + " -> " + target + " (" + file + ")");
            });
        });
        assertTrue(bad.isEmpty(), "the engine must not use a face or the model catalog: " + bad);
    }

    @Test
    void enginePackagesHaveNoCycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        uses.forEach((pkg, used) -> {
            if (!inEngine(pkg)) return;
            Set<String> targets = new TreeSet<>();
            used.keySet().stream().filter(PackageDependencyTest::inEngine).forEach(targets::add);
            graph.put(pkg, targets);
        });
        assertTrue(graph.size() > 5, "expected the engine's packages, found " + graph.keySet());
        List<String> cycle = findCycle(graph);
        if (cycle != null) {
            StringBuilder msg = new StringBuilder("engine packages depend on each other in a cycle: ");
            msg.append(String.join(" -> ", cycle));
            for (int i = 0; i + 1 < cycle.size(); i++)
                msg.append("\n  ").append(cycle.get(i)).append(" -> ").append(cycle.get(i + 1)).append(" in ")
                        .append(uses.get(cycle.get(i)).get(cycle.get(i + 1)));
            fail(msg.toString());
        }
    }

    @Test
    void engineRootHoldsOnlyTheApi() throws IOException {
        Path root = MAIN.resolve(ENGINE.replace('.', '/'));
        List<String> files;
        try (Stream<Path> list = Files.list(root)) {
            files = list.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(files.size() <= MAX_ROOT_FILES, "the engine root holds " + files.size() + " files (at most "
                + MAX_ROOT_FILES + "): " + files);
    }

    /** A cycle as a path that starts and ends at the same package, or null when the graph has none. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Set<String> done = new HashSet<>();
        for (String start : graph.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            Map<String, Boolean> onPath = new HashMap<>();
            List<String> cycle = visit(start, graph, done, path, onPath);
            if (cycle != null) return cycle;
        }
        return null;
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Set<String> done, Deque<String> path,
                                      Map<String, Boolean> onPath) {
        if (done.contains(node)) return null;
        if (onPath.getOrDefault(node, false)) {
            List<String> order = new ArrayList<>(path);
            List<String> cycle = new ArrayList<>(order.subList(order.indexOf(node), order.size()));
            cycle.add(node);
            return cycle;
        }
        onPath.put(node, true);
        path.addLast(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> cycle = visit(next, graph, done, path, onPath);
            if (cycle != null) return cycle;
        }
        path.removeLast();
        onPath.put(node, false);
        done.add(node);
        return null;
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        List<String> cycle = findCycle(new TreeMap<>(graph));
        assertTrue(cycle != null && cycle.size() == 4 && cycle.get(0).equals(cycle.get(3)), "cycle: " + cycle);
        assertTrue(findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of()))) == null);
    }
}
