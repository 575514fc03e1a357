package org.diffusej.engine.runtime;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Precision verdicts on disk, one small properties file per precision and host key ({@code bf16-<hash>.properties}).
 * A file that cannot be read, is incomplete or belongs to another host key is a miss (and is rewritten after the next
 * self-test); failing to write only costs the next start-up another self-test.
 */
final class VerdictCache {
    private static final Logger LOG = Logger.getLogger(VerdictCache.class.getName());
    private final Path folder;

    VerdictCache(Path folder) {
        this.folder = folder;
    }

    /** Where the verdict for {@code precision} on {@code hostKey} lives. */
    Path file(String precision, String hostKey) {
        return folder.resolve(precision + "-" + sha256(hostKey).substring(0, 16) + ".properties");
    }

    /** The stored verdict, or null when there is none usable. */
    PrecisionVerdict read(String precision, String hostKey) {
        Path f = file(precision, hostKey);
        if (!Files.isRegularFile(f)) return null;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            if (!hostKey.equals(p.getProperty("hostKey")) || !precision.equals(p.getProperty("precision"))) return null;
            int n = Integer.parseInt(required(p, "checks"));
            List<OpCheck> checks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String c = "check." + i + ".";
                checks.add(new OpCheck(required(p, c + "op"), Double.parseDouble(required(p, c + "maxError")),
                        Double.parseDouble(required(p, c + "tolerance")), bool(p, c + "passed"),
                        bool(p, c + "deterministic")));
            }
            return new PrecisionVerdict(precision, bool(p, "qualifies"), required(p, "summary"), checks, true,
                    Double.parseDouble(required(p, "seconds")), hostKey);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.INFO, "ignoring unreadable precision verdict " + f + ": " + e);
            return null;
        }
    }

    /** Stores {@code v} (its {@code seconds}: how long the self-test took); errors are logged, not thrown. */
    void write(PrecisionVerdict v) {
        Properties p = new Properties();
        p.setProperty("precision", v.precision());
        p.setProperty("hostKey", v.hostKey());
        p.setProperty("qualifies", Boolean.toString(v.qualifies()));
        p.setProperty("summary", v.summary());
        p.setProperty("seconds", Double.toString(v.seconds()));
        p.setProperty("checks", Integer.toString(v.checks().size()));
        for (int i = 0; i < v.checks().size(); i++) {
            OpCheck c = v.checks().get(i);
            String k = "check." + i + ".";
            p.setProperty(k + "op", c.op());
            p.setProperty(k + "maxError", Double.toString(c.maxError()));
            p.setProperty(k + "tolerance", Double.toString(c.tolerance()));
            p.setProperty(k + "passed", Boolean.toString(c.passed()));
            p.setProperty(k + "deterministic", Boolean.toString(c.deterministic()));
        }
        Path target = file(v.precision(), v.hostKey());
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, target.getFileName().toString(), ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "DiffuseJ " + v.precision() + " self-test verdict for this host; delete to re-run the test");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot store the precision verdict in " + target + ": " + e);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalStateException("missing " + key);
        return v;
    }

    private static boolean bool(Properties p, String key) {
        String v = required(p, key);
        if (!v.equals("true") && !v.equals("false")) throw new IllegalStateException(key + " is not true/false: " + v);
        return v.equals("true");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
