package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /sdapi/v1/loras} lists a LoRA folder in A1111's fields (name, alias, path relative to the folder, capped
 * string metadata), never an absolute path; {@code refresh-loras} answers and the listing follows the folder.
 */
class LoraListingTest {
    @TempDir Path dir;
    private BridgeServer server;

    @AfterEach
    void stop() { if (server != null) server.stop(); }

    private HttpTestClient start(LoraLibrary library) throws IOException {
        AtomicReference<LoraLibrary> lib = new AtomicReference<>(library);
        server = BridgeServer.builder(ModelProvider.shared(new FakeEngine(Picture.FLAT, "tiny").stepMillis(1))).port(0).loras(lib::get).build().start();
        return new HttpTestClient(server.url());
    }

    @Test
    void listsTheFolderInA1111Fields() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("loras"));
        Files.copy(Fixtures.lora("kohya_alpha1.safetensors"), folder.resolve("kohya_alpha1.safetensors"));
        Files.createDirectories(folder.resolve("styles"));
        Files.copy(Fixtures.lora("diffusers_peft_alpha_rank.safetensors"), folder.resolve("styles/peft.safetensors"));
        Files.writeString(folder.resolve("notes.txt"), "not a LoRA");
        HttpTestClient client = start(LoraLibrary.of(List.of(folder)));
        HttpTestClient.Answer a = client.get("/sdapi/v1/loras");
        assertEquals(200, a.status(), a.body());
        JsonArray list = com.google.gson.JsonParser.parseString(a.body()).getAsJsonArray();
        assertEquals(2, list.size(), a.body());
        JsonObject kohya = list.get(0).getAsJsonObject();
        assertEquals("kohya_alpha1", kohya.get("name").getAsString());
        assertEquals("kohya_alpha1", kohya.get("alias").getAsString(), "no ss_output_name: the alias is the name");
        assertEquals("kohya_alpha1.safetensors", kohya.get("path").getAsString());
        assertEquals("2", kohya.getAsJsonObject("metadata").get("ss_network_dim").getAsString(), "the file's __metadata__");
        JsonObject peft = list.get(1).getAsJsonObject();
        assertEquals("peft", peft.get("name").getAsString());
        assertEquals("styles/peft.safetensors", peft.get("path").getAsString());
        assertFalse(a.body().contains(dir.toAbsolutePath().toString()), "no absolute path: " + a.body());
        assertEquals(200, client.post("/sdapi/v1/refresh-loras", "{}").status());
    }

    @Test
    void aliasAndMetadataAreCapped() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("loras"));
        String huge = "x".repeat(LoraListing.MAX_VALUE_CHARS * 4);
        StringBuilder meta = new StringBuilder("{\"ss_output_name\":\"Nice Style\",\"ss_tag_frequency\":\"" + huge + "\"");
        for (int i = 0; i < 40; i++) meta.append(",\"k").append(i).append("\":\"").append(huge).append('"');
        writeSafetensors(folder.resolve("big.safetensors"), meta.append('}').toString());
        HttpTestClient client = start(LoraLibrary.of(List.of(folder)));
        JsonObject big = com.google.gson.JsonParser.parseString(client.get("/sdapi/v1/loras").body()).getAsJsonArray()
                .get(0).getAsJsonObject();
        assertEquals("big", big.get("name").getAsString());
        assertEquals("Nice Style", big.get("alias").getAsString(), "A1111 takes the alias from ss_output_name");
        JsonObject m = big.getAsJsonObject("metadata");
        String tags = m.get("ss_tag_frequency").getAsString();
        assertEquals(LoraListing.MAX_VALUE_CHARS, tags.length(), "a long value is cut");
        assertTrue(tags.endsWith("…"));
        int chars = 0;
        for (String k : m.keySet()) chars += k.length() + m.get(k).getAsString().length();
        assertTrue(chars <= LoraListing.MAX_METADATA_CHARS, "the map is capped: " + chars);
        assertTrue(m.size() < 42, "entries past the cap are left out: " + m.size());
    }

    @Test
    void noFolderListsNothingAndAFileAddedLaterIsListed() throws Exception {
        assertEquals("[]", start(LoraLibrary.empty()).get("/sdapi/v1/loras").body());
        server.stop();
        Path folder = Files.createDirectories(dir.resolve("later"));
        HttpTestClient client = start(LoraLibrary.of(List.of(folder)));
        assertEquals("[]", client.get("/sdapi/v1/loras").body());
        Files.copy(Fixtures.lora("kohya_alpha1.safetensors"), folder.resolve("added.safetensors"));
        assertEquals(200, client.post("/sdapi/v1/refresh-loras", "{}").status());
        assertTrue(client.get("/sdapi/v1/loras").body().contains("\"name\":\"added\""));
    }

    /** A valid safetensors file with one F32 tensor and {@code metadataJson} as its {@code __metadata__}. */
    private static void writeSafetensors(Path file, String metadataJson) throws IOException {
        byte[] header = ("{\"__metadata__\":" + metadataJson + ",\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putFloat(1f);
        Files.write(file, b.array());
    }
}
