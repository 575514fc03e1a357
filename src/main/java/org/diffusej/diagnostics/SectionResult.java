package org.diffusej.diagnostics;

import java.util.List;

/**
 * What one probe gave: its facts, or the error that stopped it (then {@code facts} is null).
 *
 * @param name     the probe's name
 * @param title    the probe's heading
 * @param facts    what it found, or null when it failed
 * @param error    why it failed ({@code ExceptionClass: message}), or null
 * @param problems what it found wrong (from {@link Facts#problems()}); empty when it failed
 */
public record SectionResult(String name, String title, Facts facts, String error, List<String> problems) {

    public SectionResult {
        problems = List.copyOf(problems);
    }

    /** True when the probe failed or found a problem. */
    public boolean broken() {
        return error != null || !problems.isEmpty();
    }
}
