package org.diffusej.models;

import java.util.List;

/** Result of re-hashing a cached model's files. */
public record VerifyReport(String id, List<FileCheck> files) {
    public VerifyReport {
        files = List.copyOf(files);
    }

    /** What a file's check found. */
    public enum Status { OK, MISMATCH, MISSING, UNVERIFIABLE }

    /**
     * One file's check.
     *
     * @param path     path inside the model
     * @param status   outcome
     * @param expected expected SHA-256, or null if neither the catalog nor the download recorded one
     * @param actual   SHA-256 found (or a size note), null when missing
     */
    public record FileCheck(String path, Status status, String expected, String actual) { }

    /** True if every file is present and none contradicts its expected hash. */
    public boolean ok() {
        return files.stream().allMatch(f -> f.status() == Status.OK || f.status() == Status.UNVERIFIABLE);
    }
}
