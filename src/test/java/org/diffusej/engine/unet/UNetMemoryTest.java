package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.nn.AllClose;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repeated forwards keep memory flat: no array is left behind in the model's manager or the caller's, and resident
 * memory does not grow. Bound: 16 MiB over 50 forwards after 20 warm-up forwards (measured: 0.6 MiB; with only 5
 * warm-up forwards ~15 MiB, JIT and allocator still settling). Leaking the intermediates would exceed it many
 * times: sd1-tiny at [2,4,32,32] has 4 attention layers over 16×16 tokens whose self-attention scores alone are
 * [2,2,256,256] floats = 1 MiB each, ≥ 4 MiB per forward, ≥ 200 MiB over 50. Resident memory is counted outside
 * the Java heap's address range: the garbage of the Java wrappers makes G1 touch heap regions it had not used before,
 * ~0.4 MiB of RSS per forward in about half of the runs after other tests (seen as growth of the heap's mapping in
 * /proc/self/smaps, on the code before 2026-11-22 too), which is not native memory. Where the heap's range cannot be
 * read, the heap is instead made resident before measuring by allocating garbage.
 */
class UNetMemoryTest {
    private static final long RSS_BOUND_KIB = 16 * 1024;

    @Test
    void fiftyForwardsLeaveNothingBehind() throws Exception {
        try (NDManager model = NDManager.newBaseManager();
             NDManager io = NDManager.newBaseManager();
             SafetensorsWeightSource w = new SafetensorsWeightSource(
                     SafetensorsFile.open(Fixtures.singleFile("sd1-tiny")));
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd1-tiny", "unet.safetensors"));
             UNet unet = UNet.load(w, Fixtures.unetConfig("sd1-tiny", w), model, DataType.FLOAT32)) {
            NDArray sample = ref.load("sample", io);
            NDArray context = ref.load("encoder_hidden_states", io);
            NDArray t = io.create(new float[] {421f}, new Shape(1));
            int modelArrays = model.getManagedArrays().size();
            assertTrue(modelArrays >= UNet.parameterShapes(unet.config()).size(), "weights live in the model manager");

            int ioArrays = io.getManagedArrays().size();
            NDArray kept = unet.forward(sample, t, context);
            assertEquals(ioArrays + 1, io.getManagedArrays().size(), "only the result joins the caller's manager");
            kept.close();
            for (int i = 0; i < 20; i++) unet.forward(sample, t, context).close();  // warm-up (JIT, allocator)

            touchJavaHeap();
            long heapBefore = heapCommittedKiB();
            long rssBefore = residentKiB();
            for (int i = 0; i < 50; i++) unet.forward(sample, t, context).close();
            long rssAfter = residentKiB();
            assertEquals(modelArrays, model.getManagedArrays().size(), "model manager arrays");
            assertEquals(ioArrays, io.getManagedArrays().size(), "caller manager arrays");
            System.out.printf("RSS outside the Java heap (%s) before %d KiB, after 50 forwards %d KiB (growth %d KiB); "
                    + "heap committed %d -> %d KiB%n", javaHeapRange() != null ? "range known" : "range unknown",
                    rssBefore, rssAfter, rssAfter - rssBefore, heapBefore, heapCommittedKiB());
            assertTrue(rssAfter - rssBefore < RSS_BOUND_KIB, "RSS grew by " + (rssAfter - rssBefore) + " KiB");
        }
    }

    @Test
    void weightsLoadedInsideAScopeOutliveIt() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsWeightSource w = new SafetensorsWeightSource(
                     SafetensorsFile.open(Fixtures.singleFile("sd1-tiny")));
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd1-tiny", "unet.safetensors"))) {
            UNet unet;
            try (NDScope scope = new NDScope()) {
                unet = UNet.load(w, Fixtures.unetConfig("sd1-tiny", w), m, DataType.FLOAT16);
            }
            try (unet) {
                NDArray out = unet.forward(ref.load("sample", m), m.create(new float[] {421f}, new Shape(1)),
                        ref.load("encoder_hidden_states", m));
                AllClose.assertAllClose(ref.load("out_t421", m), out, 1e-2, 1e-2, "after scope");
            }
        }
    }

    /**
     * Allocates twice the committed Java heap in small garbage arrays, so that the heap's pages are resident before
     * the measurement and the Java wrappers of the next forwards cannot show up as RSS growth.
     */
    private static void touchJavaHeap() {
        long bytes = 2 * heapCommittedKiB() * 1024;
        long sink = 0;
        for (long done = 0; done < bytes; done += 64 * 1024) {
            byte[] garbage = new byte[64 * 1024];
            garbage[(int) (done / 64) % garbage.length] = 1;
            sink += garbage[0];
        }
        assertTrue(sink >= 0);
    }

    private static long heapCommittedKiB() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    }

    /** Resident KiB of every mapping in /proc/self/smaps that does not start inside the Java heap's range. */
    private static long residentKiB() throws IOException {
        long[] heap = javaHeapRange();
        long total = 0;
        boolean inHeap = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            Matcher mapping = MAPPING.matcher(line);
            if (mapping.find()) {
                long start = Long.parseUnsignedLong(mapping.group(1), 16);
                inHeap = heap != null && start >= heap[0] && start < heap[1];
            } else if (line.startsWith("Rss:") && !inHeap) {
                total += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        if (total == 0) throw new IllegalStateException("no Rss in /proc/self/smaps");
        return total;
    }

    private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-[0-9a-f]+ ");
    private static final Pattern HEAP_RANGE = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

    /** The Java heap's reserved address range [start, end) from the JVM's GC.heap_info, or null if unknown. */
    private static long[] javaHeapRange() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Matcher range = HEAP_RANGE.matcher(String.valueOf(info));
            if (range.find()) {
                return new long[] {Long.parseUnsignedLong(range.group(1), 16), Long.parseUnsignedLong(range.group(2), 16)};
            }
        } catch (JMException | RuntimeException e) {
            // unknown: the whole resident set is counted
        }
        return null;
    }
}
