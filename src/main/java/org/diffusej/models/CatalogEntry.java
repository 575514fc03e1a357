package org.diffusej.models;

import java.util.List;

/**
 * A model the catalog knows how to fetch: where it lives on the Hub, what files make it up, and what it is.
 *
 * @param id         short name users type ({@code sd15})
 * @param title      one-line description
 * @param repo       Hugging Face repository ({@code owner/name})
 * @param revision   branch, tag or commit
 * @param layout     {@code single-file} (one LDM checkpoint) or {@code diffusers} (a folder of components)
 * @param family     {@code SD1} or {@code SD2}
 * @param inpainting true for 9-channel inpainting models
 * @param prediction {@code epsilon} or {@code v}
 * @param resolution native training resolution in pixels
 * @param files      what to download
 */
public record CatalogEntry(String id, String title, String repo, String revision, String layout, String family,
                           boolean inpainting, String prediction, int resolution, List<CatalogFile> files) {
    public static final String SINGLE_FILE = "single-file";
    public static final String DIFFUSERS = "diffusers";

    public CatalogEntry {
        revision = revision == null || revision.isBlank() ? "main" : revision;
        files = List.copyOf(files);
        if (!SINGLE_FILE.equals(layout) && !DIFFUSERS.equals(layout))
            throw new IllegalArgumentException("catalog entry " + id + ": unknown layout " + layout);
        if (SINGLE_FILE.equals(layout) && files.size() != 1)
            throw new IllegalArgumentException("catalog entry " + id + ": a single-file model has exactly one file");
    }

    public boolean singleFile() { return SINGLE_FILE.equals(layout); }
}
