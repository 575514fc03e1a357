package org.diffusej.engine.infotext;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's text conventions where AUTOMATIC1111 compatibility depends on them: {@code str()} of numbers and
 * booleans, {@code json.dumps(ensure_ascii=False)} of strings, {@code str.strip()}.
 */
final class PythonText {
    private PythonText() { }

    /** {@code str(value)}: ints as is, floats in Python's shortest repr ({@code 7.0}, {@code 1e-05}), True/False. */
    static String str(Object value) {
        if (value instanceof Double d) return repr(d);
        if (value instanceof Float f) return repr(f.doubleValue());
        if (value instanceof Boolean b) return b ? "True" : "False";
        return String.valueOf(value);
    }

    /** Python's {@code repr(float)}: the shortest digits that read back to the same double. */
    static String repr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) { shortest = r; break; }
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // d = 0.digits... × 10^(exponent+1)
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        if (exponent < 0) return sign + "0." + "0".repeat(-exponent - 1) + digits;
        if (digits.length() <= exponent + 1) return sign + digits + "0".repeat(exponent + 1 - digits.length()) + ".0";
        return sign + digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1);
    }

    /** {@code json.dumps(s, ensure_ascii=False)}. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** Python's {@code str.isspace()} for one char. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code str.strip()}. */
    static String strip(String s) {
        int a = 0, z = s.length();
        while (a < z && isSpace(s.charAt(a))) a++;
        while (z > a && isSpace(s.charAt(z - 1))) z--;
        return s.substring(a, z);
    }
}
