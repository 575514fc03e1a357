package org.diffusej.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The system check: one {@link SectionResult} per probe, in order. Rendered by {@link ReportText} (one screen for
 * bug reports) and {@link ReportJson}.
 *
 * @param version  the DiffuseJ version that made the report
 * @param sections what each probe gave
 */
public record SystemReport(String version, List<SectionResult> sections) {

    public SystemReport {
        sections = List.copyOf(sections);
    }

    /** True when any section failed or found a problem. */
    public boolean broken() {
        return sections.stream().anyMatch(SectionResult::broken);
    }

    /** Every failure and problem, each as {@code title: sentence}. */
    public List<String> complaints() {
        List<String> out = new ArrayList<>();
        for (SectionResult s : sections) {
            if (s.error() != null) out.add(s.title() + ": " + s.error());
            for (String p : s.problems()) out.add(s.title() + ": " + p);
        }
        return out;
    }

    /** The section named {@code name}, if the report has one. */
    public Optional<SectionResult> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
