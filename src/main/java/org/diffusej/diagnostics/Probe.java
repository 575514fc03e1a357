package org.diffusej.diagnostics;

import java.util.concurrent.Callable;

/**
 * One section of the system check and how to gather it; a probe may fail, which the report records instead of
 * throwing.
 *
 * @param name   key in the JSON form ({@code cpu}, {@code precision}, ...)
 * @param title  heading in the text form
 * @param gather collects the facts (may read files, load libtorch, ...)
 */
public record Probe(String name, String title, Callable<? extends Facts> gather) {
}
