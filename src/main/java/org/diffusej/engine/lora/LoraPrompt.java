package org.diffusej.engine.lora;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's LoRA prompt syntax: {@code <lora:name>}, {@code <lora:name:mult>}, {@code <lora:name:te:unet>} (also
 * {@code te=}/{@code unet=} named), taken out of the prompt before it is tokenised. The text-encoder multiplier
 * defaults to 1, the UNet multiplier to the text-encoder one.
 *
 * @param prompt the prompt without its LoRA tags
 * @param tags   the tags in prompt order
 */
public record LoraPrompt(String prompt, List<Tag> tags) {
    private static final Pattern TAG = Pattern.compile("<lora:([^>]*)>");

    /** One {@code <lora:…>} tag. */
    public record Tag(String name, double textMultiplier, double unetMultiplier) { }

    /** Splits the LoRA tags off {@code prompt}. */
    public static LoraPrompt parse(String prompt) throws InvalidLoraException {
        List<Tag> tags = new ArrayList<>();
        Matcher m = TAG.matcher(prompt);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            tags.add(tag(m.group(0), m.group(1)));
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        return new LoraPrompt(rest.toString(), List.copyOf(tags));
    }

    private static Tag tag(String whole, String body) throws InvalidLoraException {
        String[] args = body.split(":", -1);
        String name = args[0].trim();
        if (name.isEmpty()) throw new InvalidLoraException("The prompt tag " + whole + " names no LoRA.");
        Double te = null, unet = null;
        List<Double> positional = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i].trim();
            if (a.startsWith("te=")) te = number(whole, a.substring(3));
            else if (a.startsWith("unet=")) unet = number(whole, a.substring(5));
            else positional.add(number(whole, a));
        }
        if (positional.size() > 2) throw new InvalidLoraException("The prompt tag " + whole + " has more than two "
                + "multipliers; write <lora:name:mult> or <lora:name:te:unet>.");
        if (te == null) te = positional.isEmpty() ? 1.0 : positional.get(0);
        if (unet == null) unet = positional.size() > 1 ? positional.get(1) : te;
        return new Tag(name, te, unet);
    }

    private static double number(String whole, String s) throws InvalidLoraException {
        try {
            double v = Double.parseDouble(s.trim());
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException ignored) {
            // fall through to the message
        }
        throw new InvalidLoraException("In the prompt tag " + whole + ", '" + s + "' is not a multiplier (a number such as 0.8).");
    }
}
