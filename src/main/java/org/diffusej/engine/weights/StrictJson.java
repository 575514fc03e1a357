package org.diffusej.engine.weights;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;

/**
 * Untrusted JSON (checkpoint headers, HTTP bodies) parsed strictly (RFC 8259, not Gson's lenient default), with the
 * nesting depth checked by a scan before parsing, so a deep document is refused instead of overflowing the stack.
 */
public final class StrictJson {
    private static final Gson GSON = new Gson();
    private static final int QUOTE_LIMIT = 200;

    private StrictJson() { }

    /** Parses {@code text}; the message of the exception says what is wrong, quoting little of the input. */
    public static JsonElement parse(String text, int maxDepth) throws JsonParseException {
        int depth = nestingDepth(text);
        if (depth > maxDepth)
            throw new JsonParseException("arrays/objects nested " + depth + " deep; at most " + maxDepth + " accepted");
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            JsonElement e = GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("unexpected data after the JSON value");
            return e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new JsonParseException(quote(String.valueOf(e.getMessage())), e);
        }
    }

    /** The deepest nesting of '[' and '{' outside strings, found without parsing. */
    public static int nestingDepth(String json) {
        int depth = 0, max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return max;
    }

    /**
     * A JSON number that is exactly a whole number in [0, 2^63): {@code 2.5}, {@code 1e999}, {@code 2^64 + 4} (which a
     * plain {@code getAsLong} would wrap to 4) and strings are refused with null.
     */
    public static Long exactNonNegativeLong(JsonElement e) {
        if (e == null || !e.isJsonPrimitive()) return null;
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (!p.isNumber()) return null;
        String s = p.getAsString();
        if (!s.matches("[0-9]{1,19}")) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException tooLarge) {
            return null;
        }
    }

    /** At most 200 characters of {@code s}, for error messages. */
    public static String quote(String s) {
        return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "… (" + s.length() + " characters)";
    }
}
