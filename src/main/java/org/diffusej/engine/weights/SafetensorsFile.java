package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped {@code .safetensors} file. The whole header is validated when the file is opened (header length
 * against file size, JSON, dtypes, shape × dtype size against byte ranges, ranges in bounds and not overlapping), so a
 * malformed file is refused with an {@link InvalidCheckpointException} naming the file and the tensor before any data
 * is touched. F32 and F16 tensors are wrapped zero-copy; BF16 is widened to F32 in Java (never through DJL's bf16 type).
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Real headers are a few hundred KB; anything far larger is a corrupt length field. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    /** Real headers nest 3 deep ({@code {"name": {"shape": [..]}}}); this bounds the parser's recursion. */
    private static final int MAX_HEADER_DEPTH = 64;
    private static final int MAX_QUOTED_CHARS = 1000;
    /** Names the unmapping resources that zero-copy loads attach to their manager. */
    private static final java.util.concurrent.atomic.AtomicLong MAPPINGS = new java.util.concurrent.atomic.AtomicLong();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}. */
    public static SafetensorsFile open(Path path) throws InvalidCheckpointException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new InvalidCheckpointException("Cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) throw bad(path, "the file is only " + size + " bytes long (truncated or empty)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8)
                throw bad(path, "the header length field says " + Long.toUnsignedString(headerLen)
                        + " bytes but the file has " + (size - 8) + " bytes after it (truncated, or not a safetensors file)");
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            String json = new String(header.array(), java.nio.charset.StandardCharsets.UTF_8);
            long dataLen = size - 8 - headerLen;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = parseHeader(path, json, dataLen, meta);
            return new SafetensorsFile(path, ch, 8 + headerLen, infos, meta);
        } catch (InvalidCheckpointException e) {
            closeQuietly(ch);
            throw e;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new InvalidCheckpointException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Validates a header (the JSON after the length field) for {@code dataLen} data bytes; metadata goes to {@code meta}. */
    static Map<String, TensorInfo> parseHeader(Path path, String json, long dataLen, Map<String, String> meta)
            throws InvalidCheckpointException {
        JsonElement el;
        try {
            el = StrictJson.parse(json, MAX_HEADER_DEPTH);
        } catch (RuntimeException e) {
            throw bad(path, "the header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!el.isJsonObject()) throw bad(path, "the header is not a JSON object");
        JsonObject root = el.getAsJsonObject();
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue().isJsonObject())
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet())
                        meta.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
                continue;
            }
            infos.put(name, parseEntry(path, name, e.getValue(), dataLen));
        }
        // Sorted by start, each non-empty range must begin at or after the furthest end so far: comparing neighbours
        // only would let a zero-length tensor between two overlapping ones hide the overlap.
        List<TensorInfo> sorted = new ArrayList<>(infos.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo furthest = null;
        for (TensorInfo cur : sorted) {
            if (cur.byteLength() == 0) continue;
            if (furthest != null && cur.begin() < furthest.end())
                throw bad(path, "tensor '" + cur.name() + "' (bytes " + cur.begin() + ".." + cur.end()
                        + ") overlaps tensor '" + furthest.name() + "' (bytes " + furthest.begin() + ".." + furthest.end() + ")");
            if (furthest == null || cur.end() > furthest.end()) furthest = cur;
        }
        return Collections.unmodifiableMap(infos);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonElement value, long dataLen)
            throws InvalidCheckpointException {
        try {
            JsonObject o = value.getAsJsonObject();
            String dt = o.get("dtype").getAsString();
            TensorDType dtype = TensorDType.fromHeader(dt);
            if (dtype == null)
                throw bad(path, "tensor '" + name + "' has unsupported dtype '" + dt + "'");
            JsonArray sh = o.getAsJsonArray("shape");
            long[] shape = new long[sh.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                Long d = StrictJson.exactNonNegativeLong(sh.get(i));
                if (d == null) throw bad(path, "tensor '" + name + "' has dimension " + i + " = "
                        + StrictJson.quote(sh.get(i).toString()) + ", not a whole number >= 0");
                shape[i] = d;
                count = Math.multiplyExact(count, shape[i]);
            }
            long bytes = Math.multiplyExact(count, (long) dtype.bytes());
            JsonArray off = o.getAsJsonArray("data_offsets");
            if (off == null || off.size() != 2) throw bad(path, "tensor '" + name + "' has no [begin, end] data_offsets");
            Long b = StrictJson.exactNonNegativeLong(off.get(0)), e = StrictJson.exactNonNegativeLong(off.get(1));
            if (b == null || e == null)
                throw bad(path, "tensor '" + name + "' has data_offsets " + StrictJson.quote(off.toString())
                        + ", not two whole numbers in [0, 2^63)");
            long begin = b, end = e;
            if (end < begin || end > dataLen)
                throw bad(path, "tensor '" + name + "' has data_offsets [" + begin + ", " + end
                        + "] outside the " + dataLen + " data bytes (truncated file or corrupt header)");
            if (end - begin != bytes)
                throw bad(path, "tensor '" + name + "' has shape " + StrictJson.quote(java.util.Arrays.toString(shape)) + " of " + dtype
                        + " (" + bytes + " bytes) but its data range holds " + (end - begin) + " bytes");
            return new TensorInfo(name, dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw bad(path, "tensor '" + name + "' has a shape too large to exist");
        } catch (InvalidCheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw bad(path, "tensor '" + name + "' has a malformed header entry (" + e.getMessage() + ")");
        }
    }

    public Path path() { return path; }

    /** Tensor names in header order. */
    public Set<String> names() { return tensors.keySet(); }

    public boolean contains(String name) { return tensors.containsKey(name); }

    /** The header entry for {@code name}. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        return t;
    }

    public Map<String, TensorInfo> tensors() { return tensors; }

    /** The free-form {@code __metadata__} strings. */
    public Map<String, String> metadata() { return metadata; }

    /**
     * Loads a tensor into {@code manager}. F32/F16/integer tensors wrap the mapped file (zero-copy, read-only: never
     * modify them in place); BF16 is converted to a new F32 array.
     */
    public NDArray load(String name, NDManager manager) throws InvalidCheckpointException {
        return load(name, manager, info(name).dtype().loadedAs());
    }

    /**
     * Loads a tensor as {@code type} (for float tensors FLOAT32 or FLOAT16). Stored in that type, it wraps the mapped
     * file (zero-copy) and the mapping is released when {@code manager} closes; otherwise it is converted into an array of its own and the mapping is released at once, so
     * that a half-precision file run in float32 costs the float32 copy only, not also the file's pages (they would
     * otherwise stay resident until the garbage collector unmaps them).
     */
    public NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        TensorInfo t = info(name);
        if (isFloat(type) && !isFloat(t.dtype().loadedAs()))
            throw bad(path, "tensor '" + name + "' is " + t.dtype() + "; a network weight must be F32, F16 or BF16");
        ByteBuffer mapped = map(t);
        if (t.dtype() != TensorDType.BF16 && t.dtype().loadedAs() == type) {
            NDArray wrapped = manager.create(mapped, t.djlShape(), type); // zero-copy: the array is the mapped file
            // closing the manager unmaps the file's pages at once, not when the garbage collector gets to the buffer
            manager.attachInternal("unmap-" + MAPPINGS.incrementAndGet(), () -> MappedBuffers.unmap(mapped));
            return wrapped;
        }
        try {
            if (t.dtype() == TensorDType.BF16) {
                NDArray wide = manager.create(bf16ToF32(mapped, t.elementCount()), t.djlShape(), DataType.FLOAT32);
                if (type == DataType.FLOAT32) return wide;
                NDArray cast = wide.toType(type, false);
                wide.close();
                return cast;
            }
            NDArray view = manager.create(mapped, t.djlShape(), t.dtype().loadedAs());
            NDArray copy = view.toType(type, false); // a different type: always a new array
            view.close();
            return copy;
        } finally {
            MappedBuffers.unmap(mapped); // nothing refers to the mapping any more
        }
    }

    private static boolean isFloat(DataType type) {
        return type == DataType.FLOAT32 || type == DataType.FLOAT16 || type == DataType.FLOAT64 || type == DataType.BFLOAT16;
    }

    /** Reads a float tensor (F32, F16 or BF16) into a Java array; for small tensors and tests. */
    public float[] readFloats(String name) throws InvalidCheckpointException {
        TensorInfo t = info(name);
        ByteBuffer b = map(t);
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Half.toFloat(b.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); }
            default -> throw bad(path, "tensor '" + name + "' is " + t.dtype() + ", not a float tensor");
        }
        return out;
    }

    /** Reads an integer tensor (I64, I32, I8, U8) into a Java array. */
    public long[] readLongs(String name) throws InvalidCheckpointException {
        TensorInfo t = info(name);
        ByteBuffer b = map(t);
        int n = Math.toIntExact(t.elementCount());
        long[] out = new long[n];
        for (int i = 0; i < n; i++)
            out[i] = switch (t.dtype()) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw bad(path, "tensor '" + name + "' is " + t.dtype() + ", not an integer tensor");
            };
        return out;
    }

    private ByteBuffer map(TensorInfo t) throws InvalidCheckpointException {
        if (t.byteLength() > Integer.MAX_VALUE)
            throw bad(path, "tensor '" + t.name() + "' is larger than 2 GiB, which this reader cannot map");
        if (t.byteLength() == 0) return ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
        try {
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
            return m.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new InvalidCheckpointException("Cannot map tensor '" + t.name() + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer bf16ToF32(ByteBuffer src, long count) {
        int n = Math.toIntExact(count);
        ByteBuffer dst = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) dst.putInt(i * 4, (src.getShort(i * 2) & 0xffff) << 16);
        return dst;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    /** The error for a malformed file; what it quotes of the header is capped at {@value #MAX_QUOTED_CHARS} characters. */
    private static InvalidCheckpointException bad(Path path, String what) {
        String w = what.length() <= MAX_QUOTED_CHARS ? what : what.substring(0, MAX_QUOTED_CHARS) + "…";
        return new InvalidCheckpointException("Not a valid safetensors file: " + path + ": " + w + ".");
    }

    private static void closeQuietly(FileChannel ch) {
        try { ch.close(); } catch (IOException ignored) { }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
