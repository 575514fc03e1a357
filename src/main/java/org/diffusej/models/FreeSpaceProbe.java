package org.diffusej.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tells how many bytes can still be written in a folder; replaceable so tests can simulate a full disk. */
@FunctionalInterface
public interface FreeSpaceProbe {
    /** The file store's usable space. */
    FreeSpaceProbe FILE_STORE = dir -> Files.getFileStore(dir).getUsableSpace();

    long usableBytes(Path dir) throws IOException;
}
