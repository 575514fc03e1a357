package org.diffusej.engine;

import java.util.List;
import java.util.Map;

/**
 * What a generation produced.
 *
 * @param images     one per batch item, at the request's width × height
 * @param seeds      the seed each image was made with (seed −1 resolved)
 * @param infotexts  AUTOMATIC1111-style "parameters" text per image (prompt, negative, Steps, Sampler, Seed, ...)
 * @param request    the request as actually run (seed resolved)
 * @param model      the model that ran it
 * @param timings    seconds per phase ("encode", "denoise", "decode", "total")
 * @param cancelled  true when stopped by the token: {@code images} then holds what finished
 * @param message    a note for the user (e.g. "The mask is empty: nothing to inpaint."), or empty
 * @param unfinished indices into {@code images} of images that stopped before their last step
 *                   ({@link CancellationToken#interrupt()} and {@link CancellationToken#skip()} keep them), ascending
 */
public record Result(
        List<RgbImage> images,
        List<Long> seeds,
        List<String> infotexts,
        Request request,
        ModelInfo model,
        Map<String, Double> timings,
        boolean cancelled,
        String message,
        List<Integer> unfinished) {

    /** A result whose images all ran every step. */
    public Result(List<RgbImage> images, List<Long> seeds, List<String> infotexts, Request request, ModelInfo model,
                  Map<String, Double> timings, boolean cancelled, String message) {
        this(images, seeds, infotexts, request, model, timings, cancelled, message, List.of());
    }

    public Result {
        images = List.copyOf(images);
        unfinished = unfinished == null ? List.of() : List.copyOf(unfinished);
        seeds = List.copyOf(seeds);
        infotexts = List.copyOf(infotexts);
        timings = Map.copyOf(timings);
        message = message == null ? "" : message;
    }
}
