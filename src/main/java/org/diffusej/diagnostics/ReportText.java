package org.diffusej.diagnostics;

import java.util.List;
import java.util.Locale;

/** The system report as one screen of plain text, for terminals, Fiji's log and bug reports. */
public final class ReportText {
    private static final int LABEL_WIDTH = 18;

    private ReportText() {
    }

    /** The whole report, ending with a verdict line and a newline. */
    public static String render(SystemReport report) {
        StringBuilder b = new StringBuilder("DiffuseJ system check (DiffuseJ ").append(report.version()).append(")\n");
        for (SectionResult s : report.sections()) {
            b.append(s.title()).append('\n');
            if (s.facts() != null) for (Facts.Line l : s.facts().lines()) line(b, l);
            if (s.error() != null) line(b, new Facts.Line("FAILED", s.error()));
            for (String p : s.problems()) line(b, new Facts.Line("PROBLEM", p));
        }
        List<String> complaints = report.complaints();
        if (complaints.isEmpty()) b.append("Result: OK\n");
        else b.append("Result: BROKEN (").append(complaints.size()).append(complaints.size() == 1 ? " problem" : " problems")
                .append("; see FAILED/PROBLEM above)\n");
        return b.toString();
    }

    private static void line(StringBuilder b, Facts.Line l) {
        String label = "  ".repeat(l.indent()) + l.label();
        b.append("  ").append(label);
        b.append(" ".repeat(Math.max(1, LABEL_WIDTH - label.length()))).append(l.value()).append('\n');
    }

    /** Bytes for people: {@code 4.0 GiB}, {@code 512 MiB}; "unknown" below 0. */
    static String bytes(long n) {
        if (n < 0) return "unknown";
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
