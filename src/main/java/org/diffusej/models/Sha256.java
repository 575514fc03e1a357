package org.diffusej.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files, as lower-case hex. */
public final class Sha256 {
    private Sha256() { }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Feeds a file's bytes into a digest. */
    public static void update(MessageDigest digest, Path file) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        }
    }

    public static String of(Path file) throws IOException {
        MessageDigest d = newDigest();
        update(d, file);
        return hex(d.digest());
    }

    public static String hex(byte[] digest) { return HexFormat.of().formatHex(digest); }

    /** True if {@code s} looks like a SHA-256 hex string. */
    public static boolean isHex(String s) { return s != null && s.matches("[0-9a-fA-F]{64}"); }
}
