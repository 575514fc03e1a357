package org.diffusej.bridge;

import java.util.List;

/**
 * One event of a job, in the vocabulary shared by the server and the Krita plugin:
 * {@code queued}, {@code progress}, {@code finished}, {@code interrupted}, {@code error}.
 *
 * @param seq       position in the job's event list, from 0
 * @param type      what happened
 * @param jobId     the job
 * @param progress  fraction of the job done, in [0, 1]
 * @param step      steps done
 * @param total     steps the job runs
 * @param etaSeconds estimated seconds left, −1 when unknown
 * @param message   error text or a note for the user, may be empty
 * @param images    base64 PNGs (finished / interrupted only), each with its {@code parameters} text chunk
 * @param seeds     seed per image
 * @param infotexts A1111 "parameters" text per image
 * @param preview   progress only: a base64 PNG of the image so far (TAESD when the server has one, else a cheap
 *                  latent preview), at most about once a second; null on the other events. Only a job's latest
 *                  preview is kept: older events lose theirs when a new one arrives.
 */
public record JobEvent(int seq, Type type, String jobId, double progress, int step, int total, double etaSeconds,
                       String message, List<String> images, List<Long> seeds, List<String> infotexts, String preview) {

    /** The shared event names; {@link #wireName()} is what goes over HTTP. */
    public enum Type {
        QUEUED, PROGRESS, FINISHED, INTERRUPTED, ERROR;

        public String wireName() { return name().toLowerCase(java.util.Locale.ROOT); }

        /** True for the events after which nothing more comes. */
        public boolean isFinal() { return this == FINISHED || this == INTERRUPTED || this == ERROR; }
    }

    public JobEvent {
        message = message == null ? "" : message;
        images = images == null ? List.of() : List.copyOf(images);
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        infotexts = infotexts == null ? List.of() : List.copyOf(infotexts);
    }

    /** This event without its preview. */
    JobEvent withoutPreview() {
        return new JobEvent(seq, type, jobId, progress, step, total, etaSeconds, message, images, seeds, infotexts, null);
    }
}
