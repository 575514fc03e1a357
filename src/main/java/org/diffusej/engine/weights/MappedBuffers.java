package org.diffusej.engine.weights;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Releases a memory-mapped buffer now instead of when the garbage collector finds it unreachable (Java has no public
 * unmap). Uses {@code sun.misc.Unsafe.invokeCleaner} from the {@code jdk.unsupported} module; where that is missing
 * the buffer is simply left to the collector. The caller guarantees that nothing (no tensor) still reads the buffer.
 */
final class MappedBuffers {
    private static final Logger LOG = Logger.getLogger(MappedBuffers.class.getName());
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "mapped buffers are released by the garbage collector only", e);
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private MappedBuffers() {
    }

    /** True when {@link #unmap} releases mappings immediately on this JVM. */
    static boolean immediate() {
        return INVOKE_CLEANER != null;
    }

    /** Unmaps {@code buffer} (a direct buffer returned by {@code FileChannel.map}, not a slice of one). */
    static void unmap(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || !buffer.isDirect() || buffer.capacity() == 0) return;
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "could not unmap a buffer; the garbage collector will", e);
        }
    }
}
