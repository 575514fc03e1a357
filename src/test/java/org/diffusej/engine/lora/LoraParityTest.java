package org.diffusej.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LoRAs merged by {@link LoraPatcher} into sd1-tiny against the merged-model outputs of the LoRA fixtures
 * ({@code lora/reference/merged_*.safetensors}): UNet outputs at t = 999 and 421, text-encoder last hidden states,
 * and merged weights (a 3×3 LoCon convolution, a 1×1 projection, a linear attention weight, a text-encoder
 * projection), fp32 atol/rtol 1e-4 as the UNet and text-encoder parity tests. The peft file has no alpha (alpha =
 * rank) and the same matrices as the kohya ones, so its references are those of {@code kohya_alpha_rank}. Removing
 * a set gives outputs bit-identical to a model that never had one.
 */
class LoraParityTest {
    static final double TOL = 1e-4;
    static final String PEFT = "diffusers_peft_alpha_rank.safetensors";

    static NDManager manager;
    static Checkpoint checkpoint;
    static UNet unet;
    static TextEncoder text;
    static LoraPatcher patcher;
    static JsonObject json;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        checkpoint = CheckpointRecognizer.open(Fixtures.singleFile("sd1-tiny"));
        unet = UNet.load(checkpoint.weights(), Fixtures.unetConfig("sd1-tiny", checkpoint.weights()), manager, DataType.FLOAT32);
        text = TextEncoder.load(checkpoint.weights(), TextEncoder.Config.detect(checkpoint.weights(), 2, null), manager,
                DataType.FLOAT32);
        patcher = new LoraPatcher(unet, text, manager);
        json = JsonParser.parseString(Files.readString(Fixtures.lora("lora.json"))).getAsJsonObject();
    }

    @AfterAll
    static void close() {
        manager.close();
        checkpoint.close();
    }

    /** The fixture file of a lora.json "files" entry, or the peft file. */
    static String file(String key) {
        return key.equals("peft") ? PEFT : json.getAsJsonObject("files").getAsJsonObject(key).get("file").getAsString();
    }

    /** The merged references of a file: the peft file's are alpha_rank's. */
    static SafetensorsFile reference(String key) throws Exception {
        String kohya = file(key.equals("peft") ? "alpha_rank" : key).replace(".safetensors", "");
        return SafetensorsFile.open(Fixtures.lora("reference/merged_" + kohya + ".safetensors"));
    }

    static String tag(double multiplier) {
        return multiplier == 0 ? "m0" : "m" + Double.toString(multiplier).replace('.', 'p');
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"alpha1,1.0", "alpha1,0.5", "alpha_rank,1.0", "alpha_rank,0.5", "peft,1.0", "peft,0.5"})
    void mergedOutputsMatchReference(String key, double multiplier) throws Exception {
        LoraFile lora = LoraFile.open(Fixtures.lora(file(key)));
        assertEquals(json.getAsJsonObject("diffusers_conversion_check").getAsJsonObject("alpha1").get("n_lora_modules")
                .getAsInt(), lora.modules().size(), "modules parsed");
        if (!key.equals("peft")) {
            JsonObject f = json.getAsJsonObject("files").getAsJsonObject(key);
            for (LoraFile.Module m : lora.modules())
                assertEquals(f.get("scale_alpha_over_rank").getAsDouble(), m.scale(), 1e-9, m.key());
        }
        patcher.apply(List.of(LoraUse.of(lora, multiplier)));
        try (SafetensorsFile ref = reference(key)) {
            assertOutputs(ref, tag(multiplier), tag(multiplier), key + " at " + multiplier);
        } finally {
            patcher.clear();
        }
    }

    /**
     * The merged weights recorded for alpha1 at 1.0 (alpha/rank 0.5): the same update is alpha_rank or peft (alpha/rank
     * 1) at 0.5.
     */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"alpha1,1.0", "alpha_rank,0.5", "peft,0.5"})
    void mergedWeightsMatchReference(String key, double multiplier) throws Exception {
        patcher.apply(List.of(LoraUse.of(LoraFile.open(Fixtures.lora(file(key))), multiplier)));
        LoraTargets targets = new LoraTargets(unet, text.weightSlots(), text.config().hidden());
        int checked = 0;
        try (SafetensorsFile ref = reference("alpha1"); NDManager m = manager.newSubManager()) {
            for (String name : ref.names()) {
                if (!name.startsWith("merged_m1p0_")) continue;
                String module = name.substring("merged_m1p0_".length(), name.length() - "_weight".length());
                LoraTargets.Target t = targets.find("lora_" + module);
                assertTrue(t != null, "a layer for " + module);
                assertTrue(t.slot().patched(), module + " patched");
                assertAllClose(ref.load(name, m), t.slot().get(), TOL, TOL, key + " " + module);
                checked++;
            }
        } finally {
            patcher.clear();
        }
        assertEquals(4, checked, "merged weights in the reference");
    }

    /** A1111's {@code <lora:name:te:unet>}: the text encoder at one strength, the UNet at another. */
    @Test
    void separateTextAndUNetMultipliers() throws Exception {
        LoraFile lora = LoraFile.open(Fixtures.lora(file("alpha1")));
        patcher.apply(List.of(new LoraUse(lora, lora.name(), 1.0, 0.5)));
        try (SafetensorsFile ref = reference("alpha1")) {
            assertOutputs(ref, tag(1.0), tag(0.5), "te 1.0, unet 0.5");
        } finally {
            patcher.clear();
        }
    }

    /**
     * Several LoRAs at once add up: the kohya files share their matrices (alpha/rank 0.5 and 1), so alpha1 at 1.0
     * plus alpha_rank at 0.5 is alpha_rank at 1.0, and alpha1 at 0.5 plus peft at 0.25 is alpha_rank at 0.5.
     */
    @Test
    void severalLorasAddUp() throws Exception {
        LoraFile alpha1 = LoraFile.open(Fixtures.lora(file("alpha1")));
        LoraFile alphaRank = LoraFile.open(Fixtures.lora(file("alpha_rank")));
        LoraFile peft = LoraFile.open(Fixtures.lora(PEFT));
        try (SafetensorsFile ref = reference("alpha_rank")) {
            patcher.apply(List.of(LoraUse.of(alpha1, 1.0), LoraUse.of(alphaRank, 0.5)));
            assertOutputs(ref, tag(1.0), tag(1.0), "alpha1 1.0 + alpha_rank 0.5");
            patcher.apply(List.of(LoraUse.of(alpha1, 0.5), LoraUse.of(peft, 0.25)));
            assertOutputs(ref, tag(0.5), tag(0.5), "alpha1 0.5 + peft 0.25");
        } finally {
            patcher.clear();
        }
    }

    /** Apply, switch, remove: the base weights come back exactly, and a set applied again gives the same bits. */
    @Test
    void removingRestoresTheBaseExactly() throws Exception {
        Map<String, NDArray> base = new HashMap<>();
        for (Map.Entry<String, WeightSlot> e : allSlots().entrySet()) base.put(e.getKey(), e.getValue().get());
        float[][] before = outputs();
        try (SafetensorsFile ref = reference("alpha1")) {
            assertOutputs(ref, "m0", "m0", "never applied");
        }
        LoraFile alpha1 = LoraFile.open(Fixtures.lora(file("alpha1")));
        patcher.apply(List.of(LoraUse.of(alpha1, 1.0)));
        float[][] first = outputs();
        assertTrue(patcher.patchedBytes() > 0);
        for (int i = 0; i < 10; i++) {   // many switches: a drifting implementation would show it
            patcher.apply(List.of(LoraUse.of(LoraFile.open(Fixtures.lora(PEFT)), 0.3 + i)));
            patcher.apply(List.of(LoraUse.of(alpha1, 1.0)));
        }
        float[][] again = outputs();
        for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], again[i], "same set, same bits");
        patcher.clear();
        assertEquals(0, patcher.patchedBytes());
        for (Map.Entry<String, WeightSlot> e : allSlots().entrySet()) {
            assertFalse(e.getValue().patched(), e.getKey());
            assertSame(base.get(e.getKey()), e.getValue().get(), "the loaded base array itself: " + e.getKey());
        }
        float[][] after = outputs();
        for (int i = 0; i < before.length; i++) assertArrayEquals(before[i], after[i], "bit-identical to never applied");
    }

    private static Map<String, WeightSlot> allSlots() {
        Map<String, WeightSlot> all = new HashMap<>(unet.weightSlots());
        all.putAll(text.weightSlots());
        return all;
    }

    /** UNet out at t=999 and t=421 and the text encoder's last hidden states, as Java arrays. */
    private static float[][] outputs() throws Exception {
        try (SafetensorsFile ref = reference("alpha1"); NDManager m = manager.newSubManager()) {
            NDArray sample = ref.load("unet_sample", m), context = ref.load("unet_encoder_hidden_states", m);
            List<float[]> out = new ArrayList<>();
            for (String t : new String[] {"999", "421"})
                out.add(unet.forward(sample, m.create(new float[] {Float.parseFloat(t)}, new Shape(1)), context).toFloatArray());
            out.add(text.encode(ref.load("te_input_ids", m), 1).toFloatArray());
            return out.toArray(new float[0][]);
        }
    }

    static void assertOutputs(SafetensorsFile ref, String textTag, String unetTag, String what) throws Exception {
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = ref.load("unet_sample", m), context = ref.load("unet_encoder_hidden_states", m);
            for (String t : new String[] {"999", "421"}) {
                NDArray out = unet.forward(sample, m.create(new float[] {Float.parseFloat(t)}, new Shape(1)), context);
                assertAllClose(ref.load("unet_" + unetTag + "_out_t" + t, m), out, TOL, TOL, what + " UNet t=" + t);
            }
            NDArray hidden = text.encode(ref.load("te_input_ids", m), 1);
            assertAllClose(ref.load("te_" + textTag + "_last_hidden_state", m), hidden, TOL, TOL, what + " text encoder");
        }
    }
}
