package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsFileTest {
    @TempDir Path tmp;

    @Test
    void readsFixtureCheckpointZeroCopy() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.singleFile("sd1-tiny"));
             NDManager m = NDManager.newBaseManager()) {
            assertTrue(f.contains("model.diffusion_model.input_blocks.0.0.weight"));
            TensorInfo ids = f.info("cond_stage_model.transformer.text_model.embeddings.position_ids");
            assertEquals(TensorDType.I64, ids.dtype());
            long[] pos = f.readLongs(ids.name());
            assertEquals(77, pos.length);
            assertEquals(76, pos[76]);
            NDArray w = f.load("model.diffusion_model.input_blocks.0.0.weight", m);
            assertEquals(DataType.FLOAT32, w.getDataType());
            assertArrayEquals(f.readFloats("model.diffusion_model.input_blocks.0.0.weight"), w.toFloatArray());
        }
    }

    @Test
    void convertsF16AndBf16() throws Exception {
        float[] values = {1.5f, -2.25f, 0.0078125f, 3.0f};
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            f16.putShort(Half.fromFloat(v));
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        Path p = write("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]}}", concat(f16.array(), bf16.array()));
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(values, f.load("a", m).toType(DataType.FLOAT32, false).toFloatArray());
            NDArray b = f.load("b", m);
            assertEquals(DataType.FLOAT32, b.getDataType());
            assertArrayEquals(values, b.toFloatArray());
        }
    }

    @Test
    void convertedLoadsReleaseTheFileMapping() throws Exception {
        float[] values = {1.5f, -2.25f, 0.0078125f, 3.0f};
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer f32 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            f16.putShort(Half.fromFloat(v));
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16));
            f32.putFloat(v);
        }
        Path p = write("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}",
                concat(concat(f16.array(), bf16.array()), f32.array()));
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            NDArray a = f.load("a", m, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, a.getDataType());
            assertArrayEquals(values, a.toFloatArray());
            NDArray b16 = f.load("b", m, DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, b16.getDataType());
            assertArrayEquals(values, b16.toType(DataType.FLOAT32, false).toFloatArray());
            assertArrayEquals(values, f.load("b", m, DataType.FLOAT32).toFloatArray());
            if (MappedBuffers.immediate() && Files.isReadable(Path.of("/proc/self/maps"))) {
                assertEquals(0, mappingsOf(p), "converted tensors leave no mapping of the file behind");
                NDArray c = f.load("c", m, DataType.FLOAT32); // stored as asked: wraps the mapped file (control)
                assertArrayEquals(values, c.toFloatArray());
                assertTrue(mappingsOf(p) > 0, "the zero-copy load is a mapping of the file");
            }
        }
    }

    private static long mappingsOf(Path file) throws IOException {
        String real = file.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith(real)).count();
    }

    @Test
    void refusesTruncatedFile() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.singleFile("sd1-tiny"));
        Path p = tmp.resolve("cut.safetensors");
        Files.write(p, java.util.Arrays.copyOf(all, all.length / 2));
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().contains("cut.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
    }

    @Test
    void refusesTinyFile() throws Exception {
        Path p = tmp.resolve("tiny.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage().contains("3 bytes"));
    }

    @Test
    void refusesLyingHeaderLength() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(1L << 40);
        Path p = tmp.resolve("lie.safetensors");
        Files.write(p, b.array());
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage().contains("header length"));
    }

    @Test
    void refusesMalformedJson() throws Exception {
        Path p = write("{\"a\": [", new byte[0]);
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage().contains("JSON"));
    }

    @Test
    void refusesOverlappingRanges() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("overlaps") && msg.contains("'b'"), msg);
    }

    @Test
    void refusesOutOfRangeOffsets() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("'a'") && msg.contains("outside"), msg);
    }

    @Test
    void refusesUnknownDtype() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F8_E4M3X\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("unsupported dtype 'F8_E4M3X'"), msg);
    }

    @Test
    void refusesShapeSizeMismatch() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("'a'") && msg.contains("12 bytes"), msg);
    }

    @Test
    void refusesHugeShape() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,8]}}", new byte[8]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("too large"), msg);
    }

    @Test
    void refusesAnOverlapHiddenByAZeroLengthTensor() throws Exception {
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[6,14]}}", new byte[14]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("'b'") && msg.contains("overlaps tensor 'a'"), msg);
    }

    @Test
    void refusesOffsetsAndShapesThatAreNotExactWholeNumbers() throws Exception {
        // 2^64 and 2^64 + 8 would wrap to 0 and 8 through getAsLong; 2^63 does not fit a long; 2.5 would truncate to 2.
        for (String offsets : new String[] {"[18446744073709551616,18446744073709551624]", "[9223372036854775808,8]",
                "[0,8.0e0]", "[-0,8]", "[\"0\",8]"}) {
            Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + offsets + "}}", new byte[8]);
            String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p), offsets).getMessage();
            assertTrue(msg.contains("data_offsets") && msg.contains("whole numbers"), msg);
        }
        for (String shape : new String[] {"[2.5]", "[1e0,2]", "[-2]", "[true]"}) {
            Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}", new byte[8]);
            String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p), shape).getMessage();
            assertTrue(msg.contains("not a whole number"), msg);
        }
    }

    @Test
    void refusesLenientJsonAndDeepNestingWithoutOverflowingTheStack() throws Exception {
        Path lenient = write("{a:{dtype:F32,shape:[2],data_offsets:[0,8]}}", new byte[8]);
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(lenient)).getMessage().contains("JSON"));
        Path trailing = write("{} {}", new byte[0]);
        assertTrue(assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(trailing)).getMessage().contains("JSON"));
        Path deep = write("{\"__metadata__\":" + "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_001), new byte[0]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(deep)).getMessage();
        assertTrue(msg.contains("nested 200001 deep"), msg);
    }

    @Test
    void errorsQuoteLittleOfAHugeHeaderEntry() throws Exception {
        String ones = "1,".repeat(3_000_000) + "1"; // 3 million dimensions of 1: 4 bytes, but the range holds 8
        Path p = write("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + ones + "],\"data_offsets\":[0,8]}}", new byte[8]);
        String msg = assertThrows(InvalidCheckpointException.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(msg.contains("'a'") && msg.contains("8 bytes"), msg.substring(0, Math.min(300, msg.length())));
        assertTrue(msg.length() < 1200 + p.toString().length(), "the message is " + msg.length() + " characters");
    }

    @Test
    void refusesIntegerDataWhereANetworkWeightIsExpected() throws Exception {
        Path p = write("{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        try (SafetensorsFile f = SafetensorsFile.open(p); NDManager m = NDManager.newBaseManager()) {
            String msg = assertThrows(InvalidCheckpointException.class, () -> f.load("w", m, DataType.FLOAT32)).getMessage();
            assertTrue(msg.contains("'w' is I32") && msg.contains("F32, F16 or BF16"), msg);
            try (NDArray asStored = f.load("w", m)) {
                assertEquals(DataType.INT32, asStored.getDataType(), "integer buffers still load as integers");
            }
        }
    }

    private Path write(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = Files.createTempFile(tmp, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
