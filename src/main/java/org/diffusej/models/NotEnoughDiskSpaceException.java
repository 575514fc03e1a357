package org.diffusej.models;

/** The cache folder's disk cannot hold the file about to be downloaded. */
public class NotEnoughDiskSpaceException extends ModelDownloadException {
    public NotEnoughDiskSpaceException(String message) { super(message); }
}
