package org.diffusej;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No two classes of {@code src/main/java} share a simple name (read from the file names): a reader, a stack trace or
 * an import should never have to ask which {@code Job} is meant.
 */
class ClassNameTest {
    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    void everyMainClassHasItsOwnSimpleName() throws IOException {
        assertTrue(Files.isDirectory(MAIN), "run from the project root: " + MAIN.toAbsolutePath());
        Map<String, List<String>> byName;
        try (Stream<Path> files = Files.walk(MAIN)) {
            byName = files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")
                            && !f.endsWith("module-info.java"))
                    .collect(Collectors.groupingBy(f -> f.getFileName().toString().replace(".java", ""), TreeMap::new,
                            Collectors.mapping(f -> MAIN.relativize(f.getParent()).toString().replace('/', '.')
                                    .replace('\\', '.'), Collectors.toList())));
        }
        assertTrue(byName.size() > 100, "found the sources: " + byName.size() + " names");
        Map<String, TreeSet<String>> twice = new TreeMap<>();
        byName.forEach((name, packages) -> {
            if (packages.size() > 1) twice.put(name, new TreeSet<>(packages));
        });
        assertTrue(twice.isEmpty(), "simple class names used in more than one package (rename one side): " + twice);
    }
}
