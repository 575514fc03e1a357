package org.diffusej.bridge;

import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;
import java.util.Objects;

/**
 * An image input stream over a byte array that knows its length. The JDK's in-memory streams report an unknown
 * length, and then its TIFF reader trusts a file's strip sizes: 323 bytes can make it allocate gigabytes (found by
 * {@code ImageReadFuzzTest}); with the length known it refuses such a file at once, as it does for a file on disk.
 */
public final class BytesImageInputStream extends ImageInputStreamImpl {
    private final byte[] bytes;

    public BytesImageInputStream(byte[] bytes) {
        this.bytes = Objects.requireNonNull(bytes);
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) return 0;
        if (streamPos >= bytes.length) return -1;
        int n = (int) Math.min(len, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return bytes.length;
    }
}
