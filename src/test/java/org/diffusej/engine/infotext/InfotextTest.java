package org.diffusej.engine.infotext;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;

import static org.junit.jupiter.api.Assertions.*;

class InfotextTest {
    static final JsonObject FIXTURE = load();

    static JsonObject load() {
        try {
            return JsonParser.parseString(Files.readString(Fixtures.root().resolve("a1111/infotext.json"),
                    StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON value as Python held it: int → Long/Integer, float → Double, bool, str. */
    static Object python(JsonElement e, boolean intsAsInteger) {
        if (e == null || e.isJsonNull()) return null;
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) return p.getAsBoolean();
        if (p.isString()) return p.getAsString();
        String literal = p.getAsNumber().toString();
        if (literal.contains(".") || literal.contains("e") || literal.contains("E")) return p.getAsDouble();
        return intsAsInteger ? (Object) p.getAsInt() : (Object) p.getAsLong();
    }

    @TestFactory
    List<DynamicTest> quoteLikeA1111() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : FIXTURE.getAsJsonArray("quote")) {
            JsonObject c = e.getAsJsonObject();
            Object value = python(c.get("value"), false);
            tests.add(DynamicTest.dynamicTest(String.valueOf(value),
                    () -> assertEquals(python(c.get("quoted"), false), Infotext.quote(value))));
        }
        return tests;
    }

    /**
     * create_infotext's parameter order for the recorded processing objects; what the inputs do not hold (seeds, ENSD,
     * RNG, set at run time) is taken from the recorded text.
     */
    static Map<String, Object> a1111Parameters(JsonObject inputs, JsonObject parsed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Steps", python(inputs.get("steps"), false));
        p.put("Sampler", python(inputs.get("sampler_name"), false));
        p.put("Schedule type", python(inputs.get("scheduler"), false));
        p.put("CFG scale", python(inputs.get("cfg_scale"), false));
        p.put("Image CFG scale", python(inputs.get("image_cfg_scale"), false));
        p.put("Seed", Long.parseLong(parsed.get("Seed").getAsString()));
        p.put("Size", inputs.get("width").getAsInt() + "x" + inputs.get("height").getAsInt());
        p.put("Model hash", python(inputs.get("sd_model_hash"), false));
        p.put("Model", python(inputs.get("sd_model_name"), false));
        p.put("VAE hash", python(inputs.get("sd_vae_hash"), false));
        p.put("VAE", python(inputs.get("sd_vae_name"), false));
        boolean variation = inputs.get("subseed_strength").getAsDouble() != 0;
        p.put("Variation seed", variation ? Long.parseLong(parsed.get("Variation seed").getAsString()) : null);
        p.put("Variation seed strength", variation ? python(inputs.get("subseed_strength"), false) : null);
        p.put("Denoising strength", null);
        p.put("Conditional mask weight", inputs.get("is_using_inpainting_conditioning").getAsBoolean() ? 1.0 : null);
        int clipSkip = inputs.has("clip_skip") ? inputs.get("clip_skip").getAsInt() : 1;
        p.put("Clip skip", clipSkip <= 1 ? null : clipSkip);
        p.put("ENSD", parsed.has("ENSD") ? Integer.parseInt(parsed.get("ENSD").getAsString()) : null);
        p.put("RNG", parsed.get("RNG").getAsString().equals("GPU") ? null : parsed.get("RNG").getAsString());
        p.put("Tiling", inputs.get("tiling").getAsBoolean() ? "True" : null);
        for (Map.Entry<String, JsonElement> e : inputs.getAsJsonObject("extra_generation_params").entrySet())
            p.put(e.getKey(), python(e.getValue(), false));
        p.put("Version", "v1.10.1");
        return p;
    }

    @TestFactory
    List<DynamicTest> writesEveryExampleLikeCreateInfotext() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : FIXTURE.getAsJsonArray("examples")) {
            JsonObject c = e.getAsJsonObject();
            JsonObject in = c.getAsJsonObject("inputs");
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> assertEquals(c.get("infotext").getAsString(),
                    Infotext.write(in.get("main_prompt").getAsString(), in.get("main_negative_prompt").getAsString(),
                            a1111Parameters(in, c.getAsJsonObject("parsed"))))));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> parsesEveryTextLikeParseGenerationParameters() {
        List<DynamicTest> tests = new ArrayList<>();
        List<JsonElement> all = new ArrayList<>();
        FIXTURE.getAsJsonArray("examples").forEach(all::add);
        FIXTURE.getAsJsonArray("parse_only").forEach(all::add);
        assertEquals(13, all.size());
        for (JsonElement e : all) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> {
                Map<String, Object> expected = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> kv : c.getAsJsonObject("parsed").entrySet())
                    expected.put(kv.getKey(), python(kv.getValue(), true));
                Map<String, Object> got = Infotext.parse(c.get("infotext").getAsString());
                assertEquals(expected, got);
                assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(got.keySet()), "key order");
            }));
        }
        return tests;
    }

    /** The checkpoint the A1111 examples were written for: name and short hash as A1111 recorded them. */
    static final ModelInfo TINY = recordedModel(false);

    static ModelInfo recordedModel(boolean inpainting) {
        JsonObject h = FIXTURE.getAsJsonObject("model_hash");
        return new ModelInfo(h.get("model_name").getAsString(), h.get("file").getAsString(),
                h.get("shorthash").getAsString(), "SD1", inpainting, false);
    }

    static String withOurVersion(String a1111Text) {
        return a1111Text.replace("Version: v1.10.1", "Version: " + Infotext.version());
    }

    static String example(String name) {
        return exampleObject(name).get("infotext").getAsString();
    }

    static JsonObject exampleObject(String name) {
        for (JsonElement e : FIXTURE.getAsJsonArray("examples"))
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) return e.getAsJsonObject();
        throw new AssertionError(name);
    }

    @Test
    void txt2imgRequestWritesWhatA1111Writes() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat, (masterpiece:1.2)")
                .negativePrompt("blurry, lowres").steps(20).sampler("Euler a").cfgScale(7).size(512, 512).build();
        assertEquals(withOurVersion(example("txt2img_defaults")), Infotext.of(r, 123, TINY));
    }

    @Test
    void oldCombinedSamplerNameIsSplitAndClipSkipWritten() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("portrait of a woman, ((detailed eyes)), [freckles]")
                .steps(30).sampler("DPM++ 2M Karras").cfgScale(6.5).size(768, 512).clipSkip(2).build();
        assertEquals(withOurVersion(example("txt2img_karras_clipskip")), Infotext.of(r, 3141592653L, TINY));
    }

    /**
     * The variation seed (A1111's subseed) is request data the engine records itself, where A1111 writes it: the
     * fixture's hires example without its hires fields (tested in hiresFieldsAreWrittenAsA1111AndReadBack), seed and subseed read from it.
     */
    @Test
    void variationSeedIsWrittenWhereA1111WritesIt() {
        JsonObject ex = exampleObject("txt2img_hires");
        JsonObject in = ex.getAsJsonObject("inputs"), parsed = ex.getAsJsonObject("parsed");
        long seed = parsed.get("Seed").getAsLong(), subseed = parsed.get("Variation seed").getAsLong();
        String expected = withOurVersion(ex.get("infotext").getAsString());
        for (String hires : in.getAsJsonObject("extra_generation_params").keySet())
            expected = expected.replaceAll(", " + hires + ": [^,\\n]*", "");
        Request.Builder b = Request.builder(Mode.TXT2IMG).prompt(in.get("main_prompt").getAsString())
                .negativePrompt(in.get("main_negative_prompt").getAsString()).steps(in.get("steps").getAsInt())
                .sampler(in.get("sampler_name").getAsString()).cfgScale(in.get("cfg_scale").getAsDouble())
                .size(in.get("width").getAsInt(), in.get("height").getAsInt()).seed(seed);
        Request r = b.variation(subseed, in.get("subseed_strength").getAsDouble()).build();
        assertEquals(expected, Infotext.of(r, seed, TINY));
        assertEquals(Long.toString(subseed + 2), Infotext.parse(Infotext.of(r, seed + 2, TINY)).get("Variation seed"),
                "batch item k: variation seed + k, like A1111's all_subseeds");
        String none = Infotext.of(b.variation(subseed, 0).build(), seed, TINY);
        assertFalse(none.contains("Variation seed"), "strength 0: A1111 writes no variation seed: " + none);
    }

    /** The fixture's hires example written whole (hires fields from its extra_generation_params) and read back. */
    @Test
    void hiresFieldsAreWrittenAsA1111AndReadBack() {
        JsonObject ex = exampleObject("txt2img_hires");
        JsonObject in = ex.getAsJsonObject("inputs"), parsed = ex.getAsJsonObject("parsed");
        JsonObject hr = in.getAsJsonObject("extra_generation_params");
        long seed = parsed.get("Seed").getAsLong(), subseed = parsed.get("Variation seed").getAsLong();
        Request r = Request.builder(Mode.TXT2IMG).prompt(in.get("main_prompt").getAsString())
                .negativePrompt(in.get("main_negative_prompt").getAsString()).steps(in.get("steps").getAsInt())
                .sampler(in.get("sampler_name").getAsString()).cfgScale(in.get("cfg_scale").getAsDouble())
                .size(in.get("width").getAsInt(), in.get("height").getAsInt()).seed(seed)
                .variation(subseed, in.get("subseed_strength").getAsDouble())
                .hires(new Request.Hires(hr.get("Hires upscale").getAsDouble(), hr.get("Hires upscaler").getAsString(),
                        hr.get("Hires steps").getAsInt(), hr.get("Denoising strength").getAsDouble())).build();
        String text = Infotext.of(r, seed, TINY);
        assertEquals(withOurVersion(ex.get("infotext").getAsString()), text);
        Map<String, Object> back = Infotext.parse(text);
        for (String key : hr.keySet()) assertEquals(parsed.get(key).getAsString(), back.get(key), key);
        String noSteps = Infotext.of(r.toBuilder().hires(new Request.Hires(1.5, "Lanczos", 0, 0.5)).build(), seed, TINY);
        assertFalse(noSteps.contains("Hires steps"), "A1111 writes Hires steps only when set: " + noSteps);
        assertTrue(noSteps.contains("Hires upscale: 1.5, Hires upscaler: Lanczos"), noSteps);
    }

    @Test
    void scheduleTypeIsWrittenWithA1111sLabel() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a tree").sampler("DPM++ 2M SDE").scheduler("sgm_uniform").build();
        assertEquals("SGM Uniform", Infotext.parse(Infotext.of(r, 1, TINY)).get("Schedule type"));
        assertEquals("Exponential", Infotext.parse(Infotext.of(r.toBuilder().scheduler("exponential").build(), 1, TINY))
                .get("Schedule type"));
    }

    @Test
    void scheduleSpacingIsRecordedOnlyWhenSet() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a tree").timestepSpacing("trailing").build();
        Map<String, Object> p = Infotext.parse(Infotext.of(r, 1, TINY));
        assertEquals("trailing", p.get(Infotext.SCHEDULE_SPACING));
        assertFalse(Infotext.of(r.toBuilder().timestepSpacing(null).build(), 1, TINY).contains(Infotext.SCHEDULE_SPACING));
    }

    @Test
    void secondPromptAndMixAreRecorded() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a tree").secondPrompt("a red car, at night", 0.25).build();
        Map<String, Object> p = Infotext.parse(Infotext.of(r, 1, TINY));
        assertEquals("a red car, at night", p.get("Prompt B"));
        assertEquals("0.25", p.get("Prompt mix"));
        assertFalse(Infotext.of(r.toBuilder().secondPrompt("", 0).build(), 1, TINY).contains("Prompt B"));
    }

    @Test
    void inpaintRequestWritesTheInpaintFields() {
        ModelInfo inpainting = recordedModel(true);
        Request r = Request.builder(Mode.INPAINT).prompt("a red hat").initImage(RgbImage.blank(512, 512))
                .mask(Mask.filled(512, 512, 1f)).strength(0.75).sampler("Euler a").scheduler("Karras").cfgScale(7)
                .maskBlur(4).onlyMasked(true).onlyMaskedPadding(32).maskedContent(MaskedContent.FILL).build();
        assertEquals(withOurVersion(example("img2img_inpaint")), Infotext.of(r, 123, inpainting));
    }

    @Test
    void ourVersionTriggersNoA1111BackCompatFlags() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a [cat:dog:0.5]").sampler("DDIM").build();
        Map<String, Object> parsed = Infotext.parse(Infotext.of(r, 1, null));
        assertFalse(parsed.containsKey("Old prompt editing timelines"));
        assertFalse(parsed.containsKey("Downcast alphas_cumprod"));
        assertEquals("DDIM", parsed.get("Sampler"));
        assertEquals("1", parsed.get("Seed"));
        assertFalse(parsed.containsKey("Model hash"));
    }

    @Test
    void pythonFloatFormatting() {
        assertEquals("7.0", PythonText.str(7.0));
        assertEquals("1.2100000000000002", PythonText.str(1.1 * 1.1));
        assertEquals("1e-05", PythonText.str(1e-5));
        assertEquals("0.0001", PythonText.str(1e-4));
        assertEquals("1e+16", PythonText.str(1e16));
        assertEquals("1234567890123456.0", PythonText.str(1234567890123456.0));
        assertEquals("-0.5", PythonText.str(-0.5));
        assertEquals("0.1", PythonText.str(0.1));
        assertEquals("5e-324", PythonText.str(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e+308", PythonText.str(Double.MAX_VALUE));
        assertEquals("True", PythonText.str(true));
        assertEquals("7", PythonText.str(7));
    }

    @Test
    void versionsCompareLikePackaging() {
        assertTrue(InfotextVersion.parse("v1.10.1").compareTo(InfotextVersion.V180_HR_STYLES) > 0);
        assertTrue(InfotextVersion.parse("v1.8.0").compareTo(InfotextVersion.V180_HR_STYLES) < 0);
        assertTrue(InfotextVersion.parse("v1.7.0-224-gabcdef").compareTo(InfotextVersion.V170_TSNR) < 0);
        assertTrue(InfotextVersion.parse("1.6.0-RC").compareTo(InfotextVersion.V160) < 0);
        assertEquals(0, InfotextVersion.parse("1.6").compareTo(InfotextVersion.V160));
        assertNull(InfotextVersion.parse(Infotext.version()));
    }
}
