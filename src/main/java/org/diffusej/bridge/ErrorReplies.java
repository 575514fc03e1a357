package org.diffusej.bridge;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.weights.InvalidCheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one place where a failure becomes the error a client sees. The bridge's own sentences ({@link ApiException},
 * an unknown model) pass as they are; an engine's message loses the server's absolute paths (each is cut to its
 * file name); a failure while reading a file (an {@link IOException} or {@link InvalidCheckpointException} anywhere
 * in the cause chain) is not quoted at all, since such messages may quote the file's bytes; anything unexpected
 * is a 500 without a Java class name. The details always go to the server's log, never to the client.
 */
final class ErrorReplies {
    /** An absolute path: Unix {@code /a/b}, home-relative {@code ~/a}, or Windows {@code C:\a}, up to a space or quote. */
    private static final Pattern PATH = Pattern.compile(
            "(?<![\\w.~/\\\\-])(?:~?/|[A-Za-z]:[\\\\/])[^\\s'\"<>()\\[\\]{},;]*");
    private static final Set<String> ROOT_ENTRIES = rootEntries();

    private ErrorReplies() { }

    /** The client's error for {@code t}. */
    static ApiException of(Throwable t) {
        return of(t, UnaryOperator.identity());
    }

    /**
     * The client's error for {@code t}; {@code redact} first rewrites what it knows in engine messages (the LoRA
     * folders as "the LoRA folder").
     */
    static ApiException of(Throwable t, UnaryOperator<String> redact) {
        if (t instanceof ApiException a) return a;
        if (t instanceof ModelProvider.UnknownModelException u) return ApiException.notFound(u.getMessage());
        if (t instanceof InterruptedException) return new ApiException(503, "ServiceUnavailable", "The server is stopping.");
        if (t instanceof OutOfMemoryError)
            return new ApiException(503, "OutOfMemory", "The server ran out of memory for this request; try a smaller "
                    + "size or batch.");
        boolean refused = t instanceof InvalidRequestException || t instanceof IllegalArgumentException;
        if (readsAFile(t))
            return new ApiException(refused ? 422 : 500, refused ? "InvalidRequest" : "FileUnreadable", "A file this "
                    + "request needs could not be read on the server (the server's log says why).");
        if (refused) return ApiException.unprocessable(withoutPaths(redact.apply(String.valueOf(t.getMessage()))));
        if (t instanceof DiffusionException)
            return new ApiException(500, "GenerationFailed", withoutPaths(redact.apply(String.valueOf(t.getMessage()))));
        return new ApiException(500, "ServerError", "The request failed unexpectedly; the server's log has the details.");
    }

    /** True when {@code t} or a cause is an I/O or checkpoint-format failure (whose message may quote file bytes). */
    static boolean readsAFile(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause())
            if (c instanceof IOException || c instanceof InvalidCheckpointException) return true;
        return false;
    }

    /**
     * {@code message} with every absolute path on this server cut to its file name: Windows and home-relative paths
     * always, Unix paths when their first folder exists at the file system's root (so {@code /sdapi/v1/txt2img}, an
     * endpoint, stays), and the home and temporary folders wherever they appear.
     */
    static String withoutPaths(String message) {
        if (message == null) return "";
        String out = message;
        for (String folder : new String[] {System.getProperty("java.io.tmpdir"), System.getProperty("user.home")})
            if (folder != null && folder.length() > 1)
                out = out.replaceAll(Pattern.quote(stripSlash(folder)) + "(?=[/\\\\]|$|[^\\w.-])", "~");
        Matcher m = PATH.matcher(out);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, Matcher.quoteReplacement(serverPath(m.group()) ? fileName(m.group()) : m.group()));
        m.appendTail(b);
        return b.toString();
    }

    private static boolean serverPath(String p) {
        if (!p.startsWith("/")) return true;
        int end = p.indexOf('/', 1);
        String first = end < 0 ? p.substring(1) : p.substring(1, end);
        return !first.isEmpty() && ROOT_ENTRIES.contains(first);
    }

    private static String fileName(String p) {
        String s = p.replaceAll("[/\\\\.:]+$", "");
        int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        String name = s.substring(cut + 1);
        String trailing = p.endsWith(".") || p.endsWith(":") ? p.substring(p.length() - 1) : "";
        return (name.isEmpty() || name.equals("~") ? "a server folder" : name) + trailing;
    }

    private static String stripSlash(String folder) {
        return folder.endsWith("/") || folder.endsWith("\\") ? folder.substring(0, folder.length() - 1) : folder;
    }

    private static Set<String> rootEntries() {
        Set<String> names = new HashSet<>();
        for (Path root : java.nio.file.FileSystems.getDefault().getRootDirectories()) {
            try (Stream<Path> s = Files.list(root)) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            } catch (IOException | RuntimeException e) {
                // an unreadable root: only the always-cut forms and the home and temporary folders are cut
            }
        }
        return Set.copyOf(names);
    }
}
