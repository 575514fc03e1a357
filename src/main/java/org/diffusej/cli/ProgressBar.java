package org.diffusej.cli;

import org.diffusej.engine.Progress;
import org.diffusej.models.DownloadProgress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr: a bar redrawn in place on a terminal, a line per tenth otherwise (logs stay readable);
 * nothing with {@code --quiet}.
 */
final class ProgressBar {
    private static final int WIDTH = 28;
    private final PrintStream err;
    private final boolean enabled;
    private final boolean tty;
    private String label = "";
    private int lastTenth = -1;
    private int drawn;

    ProgressBar(PrintStream err, boolean enabled, boolean tty) {
        this.err = err;
        this.enabled = enabled;
        this.tty = tty;
    }

    void download(DownloadProgress p) {
        String detail = p.bytesTotal() > 0
                ? size(p.bytesDone()) + "/" + size(p.bytesTotal()) : size(p.bytesDone());
        if (p.bytesPerSecond() > 0) detail += " " + size((long) p.bytesPerSecond()) + "/s";
        if (p.etaSeconds() >= 0 && !p.done()) detail += " ETA " + duration(p.etaSeconds());
        if (p.bytesDone() == 0 && !p.done()) detail = "waiting for another download of this file";
        draw("download " + p.file(), p.done() ? 1 : p.fraction(), detail, p.done());
    }

    void engine(Progress p) {
        String detail = p.step() + "/" + p.total();
        if (p.etaSeconds() >= 0) detail += " ETA " + duration(p.etaSeconds());
        draw(p.phase(), p.fraction(), detail, p.total() > 0 && p.step() >= p.total());
    }

    /** A message on its own line (ends any bar in progress). */
    void message(String text) {
        if (!enabled) return;
        finishLine();
        err.println(text);
    }

    void finishLine() {
        if (tty && drawn > 0) err.println();
        drawn = 0;
    }

    private void draw(String newLabel, double fraction, String detail, boolean complete) {
        if (!enabled) return;
        int tenth = (int) Math.floor(fraction * 10);
        if (!newLabel.equals(label)) {
            finishLine();
            label = newLabel;
            lastTenth = -1;
        }
        int filled = (int) Math.round(fraction * WIDTH);
        String line = String.format(Locale.ROOT, "%-24s [%s%s] %3d%% %s", shorten(label),
                "#".repeat(filled), "-".repeat(WIDTH - filled), Math.round(fraction * 100), detail);
        if (tty) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
            drawn = line.length();
            if (complete) finishLine();
        } else if (tenth != lastTenth || complete) {
            err.println(line);
        }
        lastTenth = tenth;
        err.flush();
    }

    private static String shorten(String s) {
        return s.length() <= 24 ? s : "…" + s.substring(s.length() - 23);
    }

    static String size(long bytes) {
        if (bytes >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        if (bytes >= 1_000_000L) return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        if (bytes >= 1_000L) return String.format(Locale.ROOT, "%.0f kB", bytes / 1e3);
        return bytes + " B";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", (s % 3600) / 60);
        if (s >= 60) return (s / 60) + "m" + String.format(Locale.ROOT, "%02ds", s % 60);
        return s + "s";
    }
}
