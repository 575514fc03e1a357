package org.diffusej.engine.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's emphasis syntax ({@code parse_prompt_attention}, webui v1.10.1): {@code (word)} ×1.1,
 * {@code [word]} ÷1.1, {@code (word:1.3)} ×1.3, {@code \(} for a literal bracket, {@code BREAK} to start a new
 * 75-token chunk.
 *
 * <p>The scan is A1111's: one left-to-right pass with the same alternatives in the same order; each closing bracket
 * multiplies the weights of everything emitted since its opening bracket in place (inner first), so the doubles are
 * bit-identical to A1111's ({@code ((a))} → 1.2100000000000002). Brackets left open at the end are closed round
 * first, then square. A backslash before any other character is dropped. Adjacent pieces with equal weight are
 * merged; an empty prompt gives {@code [("", 1.0)]}. Prompt-editing syntax ({@code [a:b:0.5]}, {@code [a|b]}) is not
 * interpreted here: like A1111's function, it sees such brackets as a ÷1.1 de-emphasis with the colons kept as text.
 */
public final class PromptParser {
    // The order of the alternatives matters (first match wins), exactly as in A1111's re_attention.
    private static final Pattern ATTENTION = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|\\]|[^\\\\()\\[\\]:]+|:",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*",
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.DOTALL);
    private static final double ROUND_MULTIPLIER = 1.1;
    private static final double SQUARE_MULTIPLIER = 1 / 1.1;

    private PromptParser() { }

    /**
     * Parses a prompt into weighted pieces.
     *
     * @throws PromptSyntaxException for an explicit weight that is not a number, e.g. {@code (a:1.2.3)}
     */
    public static List<WeightedText> parse(String prompt) throws PromptSyntaxException {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Integer> roundOpen = new ArrayList<>();
        List<Integer> squareOpen = new ArrayList<>();

        Matcher m = ATTENTION.matcher(prompt);
        while (m.find()) {
            String text = m.group();
            String weight = m.group(1);
            if (text.startsWith("\\")) {
                texts.add(text.substring(1));
                weights.add(1.0);
            } else if (text.equals("(")) {
                roundOpen.add(texts.size());
            } else if (text.equals("[")) {
                squareOpen.add(texts.size());
            } else if (weight != null && !roundOpen.isEmpty()) {
                multiply(weights, pop(roundOpen), parseWeight(weight, prompt));
            } else if (text.equals(")") && !roundOpen.isEmpty()) {
                multiply(weights, pop(roundOpen), ROUND_MULTIPLIER);
            } else if (text.equals("]") && !squareOpen.isEmpty()) {
                multiply(weights, pop(squareOpen), SQUARE_MULTIPLIER);
            } else {
                String[] parts = BREAK.split(text, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        texts.add(WeightedText.BREAK.text());
                        weights.add(WeightedText.BREAK.weight());
                    }
                    texts.add(parts[i]);
                    weights.add(1.0);
                }
            }
        }
        for (int position : roundOpen) multiply(weights, position, ROUND_MULTIPLIER);
        for (int position : squareOpen) multiply(weights, position, SQUARE_MULTIPLIER);

        List<WeightedText> result = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int last = result.size() - 1;
            if (last >= 0 && result.get(last).weight() == weights.get(i)) {
                result.set(last, new WeightedText(result.get(last).text() + texts.get(i), weights.get(i)));
            } else {
                result.add(new WeightedText(texts.get(i), weights.get(i)));
            }
        }
        if (result.isEmpty()) result.add(new WeightedText("", 1.0));
        return result;
    }

    private static int pop(List<Integer> stack) {
        return stack.remove(stack.size() - 1);
    }

    private static void multiply(List<Double> weights, int from, double multiplier) {
        for (int p = from; p < weights.size(); p++) weights.set(p, weights.get(p) * multiplier);
    }

    /** Python's {@code float()} on {@code [+-]?[.\d]+}: Unicode digits allowed, one decimal point at most. */
    private static double parseWeight(String number, String prompt) throws PromptSyntaxException {
        StringBuilder ascii = new StringBuilder(number.length());
        for (int i = 0; i < number.length(); ) {
            int cp = number.codePointAt(i);
            ascii.append(Character.isDigit(cp) ? (char) ('0' + Character.digit(cp, 10)) : (char) cp);
            i += Character.charCount(cp);
        }
        String s = ascii.toString();
        int dot = s.indexOf('.');
        boolean hasDigit = s.chars().anyMatch(Character::isDigit);
        if (!hasDigit || (dot >= 0 && s.indexOf('.', dot + 1) >= 0)) {
            throw new PromptSyntaxException("The prompt weight \"" + number + "\" is not a number (in: " + prompt
                    + "). Write weights like (word:1.2); escape brackets meant literally as \\( and \\).");
        }
        return Double.parseDouble(s);
    }
}
