package org.diffusej.engine.infotext;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Version} of an A1111 infotext as A1111's {@code infotext_versions.parse_version} reads it: a third
 * {@code -part} is cut off, the rest is a PEP 440 version ({@code v1.7.0-225} = post-release 225 of 1.7.0,
 * {@code 1.6.0-RC} = a release candidate). Texts that are no such version (e.g. "DiffuseJ 0.1.0") give null.
 */
record InfotextVersion(int[] release, int preRank, long pre, long post, long dev) implements Comparable<InfotextVersion> {
    private static final Pattern CUT = Pattern.compile("([^-]+-[^-]+)-.*", Pattern.DOTALL);
    private static final Pattern PEP440 = Pattern.compile(
            "\\s*v?(\\d+(?:\\.\\d+)*)"
                    + "(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d+)?)?"
                    + "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?"
                    + "(?:[-_.]?(dev)[-_.]?(\\d+)?)?"
                    + "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\\s*",
            Pattern.CASE_INSENSITIVE);

    // after the patterns: static fields initialise in order
    static final InfotextVersion V160 = parse("1.6.0");
    static final InfotextVersion V170_TSNR = parse("v1.7.0-225");
    static final InfotextVersion V180 = parse("1.8.0");
    static final InfotextVersion V180_HR_STYLES = parse("1.8.0-139");

    static InfotextVersion parse(String text) {
        if (text == null) return null;
        Matcher cut = CUT.matcher(text);
        if (cut.matches()) text = cut.group(1);
        Matcher m = PEP440.matcher(text);
        if (!m.matches()) return null;
        int[] release;
        try {
            release = Arrays.stream(m.group(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException tooLarge) {
            return null;
        }
        int end = release.length;
        while (end > 1 && release[end - 1] == 0) end--;
        release = Arrays.copyOf(release, end);
        int preRank = Integer.MAX_VALUE; // no pre-release sorts after every pre-release
        long pre = 0;
        if (m.group(2) != null) {
            String kind = m.group(2).toLowerCase();
            preRank = kind.startsWith("a") ? 0 : kind.equals("b") || kind.equals("beta") ? 1 : 2;
            pre = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        }
        long post = m.group(4) != null ? Long.parseLong(m.group(4))
                : m.group(5) == null ? -1 : m.group(6) == null ? 0 : Long.parseLong(m.group(6));
        boolean hasDev = m.group(7) != null;
        long dev = !hasDev ? Long.MAX_VALUE : m.group(8) == null ? 0 : Long.parseLong(m.group(8));
        if (hasDev && m.group(2) == null && post < 0) preRank = -1; // 1.0.dev1 sorts before 1.0a1
        return new InfotextVersion(release, preRank, pre, post, dev);
    }

    @Override public int compareTo(InfotextVersion o) {
        int c = Arrays.compare(release, o.release);
        if (c != 0) return c;
        c = Integer.compare(preRank, o.preRank);
        if (c != 0) return c;
        c = Long.compare(pre, o.pre);
        if (c != 0) return c;
        c = Long.compare(post, o.post);
        if (c != 0) return c;
        return Long.compare(dev, o.dev);
    }
}
