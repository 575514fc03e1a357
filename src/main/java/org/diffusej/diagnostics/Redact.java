package org.diffusej.diagnostics;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;

/** Makes values safe to paste or serve: the user's home folder becomes {@code ~}, URLs lose their credentials. */
public final class Redact {

    private Redact() {
    }

    /** {@code value} with a leading home folder (this user's) written as {@code ~}. */
    public static String path(Object value) {
        return path(String.valueOf(value), System.getProperty("user.home"));
    }

    /** {@code value} with a leading {@code home} written as {@code ~}; unchanged when home is unknown or the root. */
    static String path(String value, String home) {
        if (value == null || home == null || home.isBlank() || home.equals(File.separator)) return value;
        String h = home.endsWith(File.separator) ? home.substring(0, home.length() - 1) : home;
        if (value.equals(h)) return "~";
        if (value.startsWith(h + File.separator)) return "~" + value.substring(h.length());
        return value;
    }

    /** {@code text} (a message) with every mention of this user's home folder written as {@code ~}. */
    public static String text(String text) {
        return text(text, System.getProperty("user.home"));
    }

    /** {@code text} with every mention of {@code home} (as a whole path element) written as {@code ~}. */
    static String text(String text, String home) {
        if (text == null || home == null || home.isBlank() || home.equals(File.separator)) return text;
        String h = home.endsWith(File.separator) ? home.substring(0, home.length() - 1) : home;
        return text.replaceAll(java.util.regex.Pattern.quote(h) + "(?=[" + java.util.regex.Pattern.quote(File.separator)
                + "\\s:;,'\")\\]]|$)", "~");
    }

    /** A URL without user and password ({@code https://user:pass@host} → {@code https://host}). */
    public static String url(String value) {
        if (value == null) return null;
        try {
            URI u = new URI(value);
            if (u.getRawUserInfo() == null) return value;
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), u.getFragment())
                    .toString();
        } catch (URISyntaxException e) {
            return value.contains("@") ? "(not shown: not a URL and it may hold a password)" : value;
        }
    }
}
