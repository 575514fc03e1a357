package org.diffusej.engine.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt text cleaning exactly as the reference CLIP tokenizer does it before BPE: ftfy's {@code fix_text}
 * (the fixes that change prompts: HTML entities, terminal escapes, Latin ligatures, full-width characters, curly
 * quotes, line breaks, lone surrogates, control characters, NFC), then whitespace collapsed and lower case.
 * ftfy's mojibake repair ({@code fix_encoding}) is not reproduced: it is a statistical heuristic for text that was
 * decoded with the wrong codec, which typed prompts do not contain.
 */
public final class ClipTextCleaner {
    /** ftfy's HTML_ENTITY_RE. */
    private static final Pattern ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};?");
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\033\\[((?:\\d|;)*)([a-zA-Z])");
    private static final Pattern SINGLE_QUOTES = Pattern.compile("[\u02bc\u2018-\u201b]");
    private static final Pattern DOUBLE_QUOTES = Pattern.compile("[\u201c-\u201f]");
    private static final Pattern LINE_BREAKS = Pattern.compile("\r\n|\r|\u2028|\u2029|\u0085");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String LIGATURES = "\u0132\u0133\u013f\u0140\u0149\u01c4\u01c5\u01c6\u01c7\u01c8\u01c9"
            + "\u01ca\u01cb\u01cc\u01f1\u01f2\u01f3\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06";
    private static final Map<String, String> ENTITIES = loadEntities();

    private ClipTextCleaner() { }

    /** The text as the tokenizer sees it: fixed, whitespace collapsed and trimmed, lower case. */
    public static String clean(String text) {
        String fixed = fixText(text);
        return WHITESPACE.matcher(fixed).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
    }

    /** ftfy's {@code fix_text} (minus mojibake repair): line by line, each line fixed until nothing changes. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int lineBreak = text.indexOf('\n', pos) + 1;
            if (lineBreak == 0) lineBreak = text.length();
            String segment = text.substring(pos, lineBreak);
            // ftfy's "auto": text with '<' may be real HTML, so from then on entities are left alone
            if (unescapeHtml && segment.indexOf('<') >= 0) unescapeHtml = false;
            out.append(fixSegment(segment, unescapeHtml));
            pos = lineBreak;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        for (int round = 0; round < 16; round++) {
            String before = text;
            if (unescapeHtml) text = unescapeHtml(text);
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = SINGLE_QUOTES.matcher(text).replaceAll("'");
            text = DOUBLE_QUOTES.matcher(text).replaceAll("\"");
            text = LINE_BREAKS.matcher(text).replaceAll("\n");
            text = removeLoneSurrogatesAndControls(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) break;
        }
        return text;
    }

    /** ftfy's unescape_html: named references need their ';' (HTML5 list, or the upper-cased lower-case names). */
    static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) return text;
        Matcher m = ENTITY.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(unescapeEntity(m.group())));
        m.appendTail(sb);
        return sb.toString();
    }

    private static String unescapeEntity(String ref) {
        if (ref.startsWith("&#")) {
            String numeric = numericReference(ref);
            return numeric == null || numeric.indexOf(';') >= 0 ? ref : numeric;
        }
        if (!ref.endsWith(";")) return ref;
        String name = ref.substring(1, ref.length() - 1);
        String value = ENTITIES.get(name);
        if (value != null) return value;
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.equals(name.toUpperCase(Locale.ROOT)) && ENTITIES.containsKey(lower))
            return ENTITIES.get(lower).toUpperCase(Locale.ROOT);
        return ref;
    }

    /** Python's html.unescape for one {@code &#...} reference (with its cp1252 and invalid-code-point rules). */
    private static String numericReference(String ref) {
        boolean hex = ref.length() > 2 && (ref.charAt(2) == 'x' || ref.charAt(2) == 'X');
        String digits = ref.substring(hex ? 3 : 2, ref.endsWith(";") ? ref.length() - 1 : ref.length());
        if (digits.isEmpty() || !digits.chars().allMatch(c -> hex ? Character.digit(c, 16) >= 0 : c >= '0' && c <= '9'))
            return null; // html.unescape leaves it as it is
        long num;
        try {
            num = Long.parseLong(digits, hex ? 16 : 10);
        } catch (NumberFormatException e) {
            num = Long.MAX_VALUE;
        }
        if (num == 0) return "\ufffd";
        if (num == 0x0d) return "\r";
        if (num >= 0x80 && num <= 0x9f) return cp1252((int) num);
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return "\ufffd";
        if ((num >= 0x1 && num <= 0x8) || (num >= 0xe && num <= 0x1f) || (num >= 0x7f && num <= 0x9f)
                || (num >= 0xfdd0 && num <= 0xfdef) || num == 0xb || (num & 0xfffe) == 0xfffe) return "";
        return new String(Character.toChars((int) num));
    }

    private static String cp1252(int b) {
        String s = new String(new byte[] {(byte) b}, java.nio.charset.Charset.forName("windows-1252"));
        return s.equals("\ufffd") ? String.valueOf((char) b) : s; // 0x81, 0x8d, 0x8f, 0x90, 0x9d map to themselves
    }

    private static String fixCharacterWidth(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = null;
            if (c == '\u3000') replacement = " ";
            else if (c >= '\uff01' && c < '\ufff0') {
                String alt = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
                if (!alt.equals(String.valueOf(c))) replacement = alt;
            }
            if (replacement != null && sb == null) sb = new StringBuilder(text.substring(0, i));
            if (sb != null) sb.append(replacement != null ? replacement : String.valueOf(c));
        }
        return sb == null ? text : sb.toString();
    }

    private static String fixLatinLigatures(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (LIGATURES.indexOf(c) >= 0) sb.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            else sb.append(c);
        }
        return sb.toString();
    }

    /** ftfy's fix_surrogates (lone halves become U+FFFD) and remove_control_chars. */
    private static String removeLoneSurrogatesAndControls(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xD800 && cp <= 0xDFFF) { sb.append('\ufffd'); continue; }
            boolean control = (cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                    || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
            if (!control) sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static Map<String, String> loadEntities() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = ClipTextCleaner.class.getResourceAsStream("html5-entities.tsv")) {
            if (in == null) throw new IllegalStateException("html5-entities.tsv missing from the classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isEmpty()) continue;
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) value.appendCodePoint(Integer.parseInt(hex, 16));
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
