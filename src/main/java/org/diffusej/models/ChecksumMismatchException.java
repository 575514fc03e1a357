package org.diffusej.models;

/** A downloaded or cached file's SHA-256 is not the expected one; the file is not used. */
public class ChecksumMismatchException extends ModelDownloadException {
    public ChecksumMismatchException(String message) { super(message); }
}
