package org.diffusej.engine.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a small {@code .safetensors} file in memory, tensor after tensor (8-byte little-endian header length, JSON
 * header padded with spaces to 8 bytes, data in order): random LoRAs for the benchmark and the tests. Not for
 * model-sized files (everything is held in memory until {@link #write}).
 */
public final class SafetensorsWriter {
    private final StringBuilder header = new StringBuilder("{");
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** Adds a float32 tensor ({@code shape} {} for a 0-dim scalar). */
    public SafetensorsWriter putFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return putRaw(name, TensorDType.F32, shape, b.array());
    }

    /** Adds a tensor of any dtype from its little-endian bytes. */
    public SafetensorsWriter putRaw(String name, TensorDType dtype, long[] shape, byte[] data) {
        long begin = body.size();
        body.writeBytes(data);
        if (header.length() > 1) header.append(',');
        header.append("\"").append(name).append("\":{\"dtype\":\"").append(dtype.name()).append("\",\"shape\":")
                .append(Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[").append(begin)
                .append(',').append(body.size()).append("]}");
        return this;
    }

    /** Writes the file (replacing it) and returns its path. */
    public Path write(Path file) throws IOException {
        byte[] h = (header + "}").getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(h, h.length + (8 - h.length % 8) % 8);
        Arrays.fill(padded, h.length, padded.length, (byte) ' ');
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
        all.writeBytes(padded);
        all.writeBytes(body.toByteArray());
        return Files.write(file, all.toByteArray());
    }
}
