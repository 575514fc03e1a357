package org.diffusej.bridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Hand-written HTTP/1.1 for the tests that need what a normal client never sends (foreign Host, short bodies). */
final class RawHttp {
    /** What came back: the status (-1 if the server closed without answering) and the whole raw answer. */
    record Answer(int status, String raw) {
        String body() {
            int i = raw.indexOf("\r\n\r\n");
            return i < 0 ? "" : raw.substring(i + 4);
        }

        /** The first value of a response header (case-insensitive name), or null. */
        String header(String name) {
            for (String line : raw.split("\r\n")) {
                if (line.isEmpty()) break;
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) return line.substring(colon + 1).trim();
            }
            return null;
        }
    }

    private RawHttp() { }

    /** Sends {@code head} (request line and headers, CRLF-separated, without the blank line) and {@code body}. */
    static Answer send(int port, String head, String body) throws IOException {
        return send(port, head, body, false);
    }

    /** Like {@link #send(int, String, String)}; {@code halfClose} ends the sending side after the body. */
    static Answer send(int port, String head, String body, boolean halfClose) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write((head + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            if (halfClose) s.shutdownOutput();
            return read(s);
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** Reads until the server closes the connection. */
    static Answer read(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            // A reset after the answer still leaves what was read.
        }
        String raw = out.toString(StandardCharsets.UTF_8);
        int status = -1;
        if (raw.startsWith("HTTP/1.")) status = Integer.parseInt(raw.substring(9, 12));
        return new Answer(status, raw);
    }
}
