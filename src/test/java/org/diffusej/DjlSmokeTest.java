package org.diffusej;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DjlSmokeTest {
    @Test
    void pytorchLoadsOffline() {
        Engine e = Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 2));
            assertEquals(4f, a.sum().getFloat(), 0f);
        }
        System.out.println("engine " + e.getVersion());
    }
}
