package org.diffusej.diagnostics;

import java.util.List;

/**
 * What one section of the {@link SystemReport} found: a record whose fields are the JSON form, with {@link #lines()}
 * as its text form and {@link #problems()} for what makes the report broken.
 */
public interface Facts {

    /** The section as label/value lines for the text report, in order. */
    List<Line> lines();

    /** Sentences saying what is wrong (each marks the report broken); empty when all is well. */
    default List<String> problems() {
        return List.of();
    }

    /**
     * One line of a section's text: a short label and its value ({@code indent} 1 for detail lines under another).
     *
     * @param label  what the value is, e.g. {@code RAM}
     * @param value  the finding, e.g. {@code 23.4 GiB total, 12.1 GiB available}
     * @param indent 0 for a fact, 1 for a detail of the fact above
     */
    record Line(String label, String value, int indent) {
        public Line(String label, String value) {
            this(label, value, 0);
        }
    }
}
