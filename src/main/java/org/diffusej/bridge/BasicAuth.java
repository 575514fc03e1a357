package org.diffusej.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** HTTP Basic credentials checked like A1111's {@code --api-auth user:pass}, compared in constant time. */
final class BasicAuth {
    private final byte[] expected;

    private BasicAuth(String user, String pass) {
        this.expected = (user + ":" + pass).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@code user:pass}; the password may contain ':'. */
    static BasicAuth parse(String userColonPass) {
        int colon = userColonPass.indexOf(':');
        if (colon <= 0 || colon == userColonPass.length() - 1)
            throw new IllegalArgumentException("--api-auth must be user:password with both parts non-empty.");
        return new BasicAuth(userColonPass.substring(0, colon), userColonPass.substring(colon + 1));
    }

    /** True if the {@code Authorization} header carries these credentials. */
    boolean accepts(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return false;
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, expected);
    }
}
