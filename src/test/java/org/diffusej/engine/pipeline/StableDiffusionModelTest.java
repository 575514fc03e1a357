package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.nn.AllClose;
import org.diffusej.engine.runtime.CpuFeatures;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.runtime.PrecisionQualifier;
import org.diffusej.engine.runtime.PrecisionVerdict;
import org.diffusej.engine.PredictionType;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.ModelFamily;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ModelOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading both layouts of every variant into working networks, and the facts the loader decides. */
class StableDiffusionModelTest {
    @TempDir Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"sd1-tiny,folder,SD1,false,EPSILON,sd1-tiny", "sd1-tiny,single,SD1,false,EPSILON,sd1-tiny",
            "sd1-inpaint-tiny,folder,SD1,true,EPSILON,sd1-inpaint-tiny", "sd1-inpaint-tiny,single,SD1,true,EPSILON,sd1-inpaint-tiny",
            "sd2-tiny,folder,SD2,false,V_PREDICTION,sd2-tiny", "sd2-tiny,single,SD2,false,V_PREDICTION,sd2-tiny",
            "sd15-shape,single,SD1,false,EPSILON,sd15-shape"})
    void loadsEveryVariantAndLayout(String variant, String layout, ModelFamily family, boolean inpainting,
                                    PredictionType prediction, String name) throws Exception {
        Path path = layout.equals("folder") ? Fixtures.diffusersDir(variant) : Fixtures.singleFile(variant);
        try (StableDiffusionModel model = StableDiffusionModel.load(path, optionsFor(variant, layout));
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "unet.safetensors"));
             NDManager m = model.manager().newSubManager()) {
            assertEquals(family, model.family());
            assertEquals(prediction, model.predictionType());
            ModelInfo info = model.info();
            assertEquals(name, info.name());
            assertEquals(family.name(), info.family());
            assertEquals(inpainting, info.inpainting());
            assertEquals(prediction == PredictionType.V_PREDICTION, info.vPrediction());
            assertEquals(10, info.shortHash().length());
            assertEquals(variant.startsWith("sd2") ? 0 : 49407, model.tokenizer().padId());
            // the wiring (heads, groups, in-channels) is right when the UNet reproduces the reference
            NDArray out = model.unet().forward(ref.load("sample", m), m.create(new float[] {999f, 999f}),
                    ref.load("encoder_hidden_states", m));
            AllClose.assertAllClose(ref.load("out_t999", m), out, 1e-4, 1e-4, variant + " " + layout + " UNet t=999");
            try (SafetensorsFile vae = SafetensorsFile.open(Fixtures.reference(variant, "vae.safetensors"))) {
                AllClose.assertAllClose(vae.load("decoder_output", m), model.vae().decode(vae.load("decoder_input", m)),
                        1e-4, 1e-4, variant + " " + layout + " VAE decode");
            }
            assertEquals(Fixtures.variantFacts(variant).get("scaling_factor").getAsDouble(), model.vae().config().scalingFactor(), 1e-12);
        }
    }

    @Test
    void halfPrecisionLoad() throws Exception {
        try (StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sd2-tiny"),
                ModelOptions.cpu().withPrecision(DataType.FLOAT16));
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd2-tiny", "text_encoder.safetensors"));
             NDManager m = model.manager().newSubManager()) {
            assertEquals(DataType.FLOAT16, model.unet().dtype());
            assertEquals(DataType.FLOAT32, model.vae().dtype(), "the VAE decodes in float32 next to an fp16 UNet");
            NDArray embeds = model.textEncoder().encode(ref.load("input_ids", m), 1);
            AllClose.assertAllClose(ref.load("pipeline_prompt_embeds", m), embeds, 1e-2, 1e-2, "sd2-tiny fp16 text encoder");
        }
    }

    @Test
    void bfloat16ComputeLoadsAndIsRefusedWhereItWouldBeEmulated() throws Exception {
        ModelOptions bf16 = ModelOptions.cpu().withPrecision("bf16");
        assertEquals(DataType.BFLOAT16, bf16.precision());
        assertThrows(IllegalArgumentException.class, () -> bf16.withDevice(ai.djl.Device.gpu()), "bf16 is CPU-only");
        if (!CpuFeatures.nativeBf16()) {
            InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                    () -> StableDiffusionModel.load(Fixtures.diffusersDir("sd2-tiny"), bf16));
            assertTrue(refused.getMessage().contains("native bfloat16"), refused.getMessage());
        }
        System.setProperty(StableDiffusionModel.EMULATED_BF16_PROPERTY, "true");
        PrecisionVerdict verdict = PrecisionQualifier.bf16();
        try (StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sd2-tiny"), bf16);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd2-tiny", "unet.safetensors"));
             NDManager m = model.manager().newSubManager()) {
            PrecisionChoice choice = model.precisionChoice();
            // where bf16 fails its self-test on this host, the load falls back to fp32 and says so
            assertEquals(verdict.qualifies() ? DataType.BFLOAT16 : DataType.FLOAT32, choice.used(), choice.reason());
            assertEquals(!verdict.qualifies(), choice.fellBack(), choice.reason());
            assertEquals(choice, model.info().precision());
            assertEquals(DataType.FLOAT32, model.unet().dtype(), "activations stay float32 in bf16 compute");
            NDArray out = model.unet().forward(ref.load("sample", m), m.create(new float[] {999f, 999f}),
                    ref.load("encoder_hidden_states", m));
            AllClose.assertAllClose(ref.load("out_t999", m), out, 5e-2, 5e-2, "sd2-tiny bf16 UNet (UNetParityTest)");
        } finally {
            System.clearProperty(StableDiffusionModel.EMULATED_BF16_PROPERTY);
        }
    }

    /** The A1111 short hash: first 10 hex of the SHA-256 of the file (a folder: of its UNet file), computed here. */
    @Test
    void modelHashIsA1111ShortHash() throws Exception {
        Path unetFile = Fixtures.diffusersDir("sd2-tiny").resolve("unet").resolve("diffusion_pytorch_model.safetensors");
        try (StableDiffusionModel single = StableDiffusionModel.load(Fixtures.singleFile("sd1-tiny"),
                optionsFor("sd1-tiny", "single"));
             StableDiffusionModel folder = StableDiffusionModel.load(Fixtures.diffusersDir("sd2-tiny"), ModelOptions.cpu())) {
            String shortHash = Fixtures.sha256Hex(Files.readAllBytes(Fixtures.singleFile("sd1-tiny"))).substring(0, 10);
            assertEquals(shortHash, single.info().shortHash());
            assertEquals("sd1-tiny [" + shortHash + "]", single.info().title());
            assertEquals(Fixtures.sha256Hex(Files.readAllBytes(unetFile)).substring(0, 10), folder.info().shortHash(),
                    "a folder's hash is its UNet file's");
        }
    }

    @Test
    void predictionTypeRule() throws Exception {
        ModelOptions sd2 = ModelOptions.cpu().withUNetHeadChannels(16).withTextHeads(4);
        try (StableDiffusionModel v = StableDiffusionModel.load(Fixtures.singleFile("sd2-tiny"), sd2);
             StableDiffusionModel eps = StableDiffusionModel.load(Fixtures.singleFile("sd2-tiny"),
                     sd2.withPredictionType(PredictionType.EPSILON));
             StableDiffusionModel folderOverride = StableDiffusionModel.load(Fixtures.diffusersDir("sd2-tiny"),
                     ModelOptions.cpu().withPredictionType(PredictionType.EPSILON))) {
            assertEquals(PredictionType.V_PREDICTION, v.predictionType(), "SD2 single file without config: v");
            assertEquals(0, v.tokenizer().padId(), "SD2 single file: bundled vocabulary with pad '!'");
            assertEquals(PredictionType.EPSILON, eps.predictionType());
            assertEquals(PredictionType.EPSILON, folderOverride.predictionType());
        }
    }

    @Test
    void folderTokenizerTakesPrecedence() throws Exception {
        Path folder = tmp.resolve("my-model");
        Path src = Fixtures.diffusersDir("sd1-tiny");
        try (var files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dst = folder.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst);
            }
        }
        Path config = folder.resolve("tokenizer/tokenizer_config.json");
        Files.writeString(config, Files.readString(config).replace("\"pad_token\": \"<|endoftext|>\"", "\"pad_token\": \"!\""));
        try (StableDiffusionModel model = StableDiffusionModel.load(folder, ModelOptions.cpu())) {
            assertEquals(0, model.tokenizer().padId());
            assertEquals("my-model", model.info().name());
        }
    }

    @Test
    void weightsThatDoNotFitTheDerivedConfigAreRefusedWithAMessage() {
        // an SD2 single file without its config: the default 64-channel heads do not divide the tiny model's 32 channels
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class,
                () -> StableDiffusionModel.load(Fixtures.singleFile("sd2-tiny"), ModelOptions.cpu()).close());
        assertTrue(e.getMessage().contains("head"), e.getMessage());
        e = assertThrows(InvalidCheckpointException.class, () -> StableDiffusionModel.load(Fixtures.singleFile("sd2-tiny"),
                ModelOptions.cpu().withTextHeads(4)).close());
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
    }

    private static ModelOptions optionsFor(String variant, String layout) throws Exception {
        return layout.equals("folder") ? ModelOptions.cpu() : Fixtures.singleFileOptions(variant);
    }
}
