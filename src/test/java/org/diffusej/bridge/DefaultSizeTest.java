package org.diffusej.bridge;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.ModelInfo;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A txt2img payload without width/height gets the loaded model's own size (SDXL 1024, SD 2.x v 768, SD1 512) on
 * both APIs; given sizes are kept. A1111 itself would say 512 whatever the model.
 */
class DefaultSizeTest {
    @ParameterizedTest(name = "{0} v={1}: {2}")
    @CsvSource({"SDXL,false,1024", "SD2,true,768", "SD2,false,512", "SD1,false,512"})
    void absentSizeIsTheModels(String family, boolean v, int expected) throws Exception {
        FakeEngine engine = new FakeEngine(Picture.FLAT, new ModelInfo("m", "/models/m.safetensors", "0123456789", family, false, v));
        BridgeServer server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).maxImageSide(2048).build().start();
        try {
            HttpTestClient client = new HttpTestClient(server.url());
            JsonObject body = JsonParser.parseString("{\"prompt\":\"a cat\",\"steps\":1,\"seed\":1}").getAsJsonObject();
            assertEquals(200, client.post("/sdapi/v1/txt2img", body).status());
            assertEquals(expected, engine.requests().get(0).width());
            assertEquals(expected, engine.requests().get(0).height());
            JsonObject sized = JsonParser.parseString("{\"prompt\":\"a cat\",\"steps\":1,\"width\":64,\"height\":32}")
                    .getAsJsonObject();
            assertEquals(200, client.post("/sdapi/v1/txt2img", sized).status());
            assertEquals(64, engine.requests().get(1).width());
            assertEquals(32, engine.requests().get(1).height());
            assertEquals(202, client.post("/diffusej/v1/jobs", body).status());
            for (int i = 0; i < 500 && engine.requests().size() < 3; i++) Thread.sleep(10);
            assertEquals(expected, engine.requests().get(2).width(), "native API too");
        } finally {
            server.stop();
        }
    }
}
