package org.diffusej.bridge;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Who may talk to the bridge from a web browser. Any page can send requests to 127.0.0.1, so: a request whose
 * {@code Origin} is not this server's own and not allowed ({@code --cors-allow-origins}, {@code
 * --cors-allow-origins-regex}) is refused, and so is one whose {@code Host} is not a loopback name or address with
 * the server's port (DNS rebinding), unless that host is the host of an allowed origin. Clients that send no
 * {@code Origin} (Krita, scripts, curl) pass. A server bound beyond loopback (which requires a password) skips the
 * Host check: a rebound page does not know the password.
 */
final class OriginPolicy {
    static final String ALLOW_METHODS = "GET, POST, OPTIONS";
    static final String ALLOW_HEADERS = "Authorization, Content-Type";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final int QUOTE_LIMIT = 100;

    private final List<String> origins;
    private final Pattern regex;
    private final boolean checkHost;

    /**
     * @param origins   allowed origins, e.g. {@code http://localhost:3000} (scheme://host[:port], no path)
     * @param regex     allowed origins as a regular expression matched against the whole origin, or null
     * @param checkHost false when the server is bound beyond loopback (then Basic authentication guards it)
     */
    OriginPolicy(List<String> origins, String regex, boolean checkHost) {
        this.origins = new ArrayList<>();
        for (String o : origins) {
            String n = normalize(o);
            if (n.isEmpty()) continue;
            if (n.equals("*"))
                throw new IllegalArgumentException("--cors-allow-origins '*' would let every web page use this server; "
                        + "list the origins (e.g. http://localhost:3000).");
            if (!n.matches("[a-z][a-z0-9+.-]*://[^/?#\\s]+"))
                throw new IllegalArgumentException("--cors-allow-origins takes origins like http://localhost:3000 "
                        + "(scheme://host[:port], no path), got '" + o + "'.");
            this.origins.add(n);
        }
        try {
            this.regex = regex == null || regex.isBlank() ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--cors-allow-origins-regex is not a valid regular expression: "
                    + e.getDescription() + ".");
        }
        this.checkHost = checkHost;
    }

    /** Splits A1111's comma list ({@code --cors-allow-origins a,b}); null or blank is none. */
    static List<String> parseList(String commaList) {
        List<String> out = new ArrayList<>();
        if (commaList == null) return out;
        for (String s : commaList.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    /** Refuses (403) a foreign Host or a disallowed Origin; {@code port} is the server's bound port. */
    void check(HttpExchange ex, int port) throws ApiException {
        Headers h = ex.getRequestHeaders();
        String host = h.getFirst("Host");
        if (checkHost && host != null && !isLoopbackHost(host, port) && !isAllowed("http://" + host)
                && !isAllowed("https://" + host))
            throw forbidden("The Host header '" + quote(host) + "' is not this computer (127.0.0.1:" + port
                    + "); requests through other names are refused (DNS rebinding). Allow a name with "
                    + "--cors-allow-origins http://NAME:" + port + ".");
        String origin = h.getFirst("Origin");
        if (origin != null && !isSelf(origin, port) && !isAllowed(origin))
            throw forbidden("Requests from web pages at '" + quote(origin) + "' are refused (cross-origin). "
                    + "Allow that page with --cors-allow-origins " + quote(origin) + ".");
    }

    /** Adds the CORS answer headers when the request comes from an allowed foreign origin. */
    void addCorsHeaders(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null || !isAllowed(origin)) return;
        Headers r = ex.getResponseHeaders();
        r.set("Access-Control-Allow-Origin", origin);
        r.set("Access-Control-Allow-Credentials", "true");
        r.add("Vary", "Origin");
    }

    /**
     * Answers an OPTIONS request: a CORS preflight from an allowed origin gets 204 with the allowed methods and
     * headers; anything else is 403. Call after {@link #check}.
     */
    void preflight(HttpExchange ex, int port) throws ApiException {
        Headers h = ex.getRequestHeaders();
        String origin = h.getFirst("Origin");
        if (origin == null || h.getFirst("Access-Control-Request-Method") == null)
            throw forbidden("OPTIONS is answered only for CORS preflight requests from allowed origins.");
        if (!isSelf(origin, port)) addCorsHeaders(ex);
        Headers r = ex.getResponseHeaders();
        r.set("Access-Control-Allow-Methods", ALLOW_METHODS);
        r.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
        r.set("Access-Control-Max-Age", "600");
    }

    private boolean isAllowed(String origin) {
        String n = normalize(origin);
        return origins.contains(n) || (regex != null && regex.matcher(origin.trim()).matches());
    }

    /** The server's own origin (http://127.0.0.1:port and the like): same-origin requests are not foreign. */
    private static boolean isSelf(String origin, int port) {
        String n = normalize(origin);
        return n.startsWith("http://") && isLoopbackHost(n.substring("http://".length()), port);
    }

    /** True for {@code localhost}, {@code 127.x.y.z} or {@code [::1]} with this port; names are never resolved. */
    static boolean isLoopbackHost(String hostAndPort, int port) {
        String hp = hostAndPort.trim().toLowerCase(Locale.ROOT);
        String name;
        int p = 80;
        int colon = hp.lastIndexOf(':');
        if (colon >= 0 && colon > hp.lastIndexOf(']')) {
            name = hp.substring(0, colon);
            try {
                p = Integer.parseInt(hp.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        } else {
            name = hp;
        }
        if (p != port) return false;
        if (name.equals("localhost") || name.equals("[::1]")) return true;
        var m = IPV4.matcher(name);
        return m.matches() && m.group(1).equals("127");
    }

    private static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail);
    }

    /** At most 100 characters of a client-supplied value, for error messages. */
    static String quote(String s) {
        return s.length() <= QUOTE_LIMIT ? s : s.substring(0, QUOTE_LIMIT) + "…";
    }
}
