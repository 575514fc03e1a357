package org.diffusej.engine.text;

/**
 * One piece of a parsed prompt: its text and AUTOMATIC1111 attention weight. A {@code BREAK} separator is the entry
 * {@code ("BREAK", -1)}; a {@code BREAK} written inside brackets gets another weight and is ordinary text.
 *
 * @param text   the text of the piece, escapes already resolved
 * @param weight the product of every bracket multiplier around the piece
 */
public record WeightedText(String text, double weight) {
    /** The marker {@link PromptParser} emits for a top-level {@code BREAK}. */
    public static final WeightedText BREAK = new WeightedText("BREAK", -1);

    /** True if this entry closes the current 75-token chunk (text {@code BREAK}, weight exactly −1). */
    public boolean isBreak() {
        return weight == -1 && "BREAK".equals(text);
    }
}
