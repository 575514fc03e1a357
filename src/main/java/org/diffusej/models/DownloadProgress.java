package org.diffusej.models;

/**
 * One progress event of a download.
 *
 * @param file           path of the file inside its repository
 * @param bytesDone      bytes of the file on disk so far (resumed bytes included)
 * @param bytesTotal     the file's size, or -1 when unknown
 * @param bytesPerSecond transfer rate of the current attempt
 * @param etaSeconds     estimated seconds left, or -1 when unknown
 * @param done           true for the last event of a file (verified and in place)
 */
public record DownloadProgress(String file, long bytesDone, long bytesTotal, double bytesPerSecond, double etaSeconds,
                               boolean done) {
    public double fraction() {
        return bytesTotal <= 0 ? 0 : Math.min(1.0, (double) bytesDone / bytesTotal);
    }
}
