package org.diffusej.engine.infotext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AUTOMATIC1111's checkpoint hashes: the {@code shorthash} written as "Model hash" (first 10 hex digits of the
 * SHA-256 of the whole file) and the legacy 8-hex hash of old infotexts (SHA-256 of the 64 KiB at offset 1 MiB).
 */
public final class ModelHash {
    private static final int BLOCK = 1 << 20;
    /** Full hashes computed in this process, by their short hash (A1111 lists {@code sha256} once it is known). */
    private static final Map<String, String> KNOWN = new ConcurrentHashMap<>();

    private ModelHash() { }

    /** Lowercase hex SHA-256 of the whole file, read in 1 MiB blocks. */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha = newSha256();
        byte[] block = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(block)) > 0; ) sha.update(block, 0, n);
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        KNOWN.put(hex.substring(0, 10), hex);
        return hex;
    }

    /** The full SHA-256 whose first 10 hex digits are {@code shortHash}, if this process has computed it; else null. */
    public static String knownSha256(String shortHash) {
        return shortHash == null ? null : KNOWN.get(shortHash.toLowerCase(java.util.Locale.ROOT));
    }

    /** A1111's "Model hash": the first 10 hex digits of {@link #sha256}. */
    public static String shortHash(Path file) throws IOException {
        return sha256(file).substring(0, 10);
    }

    /** A1111's old {@code model_hash}: SHA-256 of the 64 KiB at offset 1 MiB (less if the file is shorter), 8 hex. */
    public static String legacyHash(Path file) throws IOException {
        MessageDigest sha = newSha256();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(0x10000);
            long pos = 0x100000;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n <= 0) break;
                pos += n;
            }
            buf.flip();
            sha.update(buf);
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 8);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
