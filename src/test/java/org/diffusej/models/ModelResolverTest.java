package org.diffusej.models;

import okhttp3.mockwebserver.MockWebServer;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Catalog parsing, resolution order (path, cache, download), offline answer, cache list/verify/remove. */
class ModelResolverTest {
    private static final String CATALOG = "{\"defaults\": {\"txt2img\": \"one\", \"inpaint\": \"folder\"}, \"models\": ["
            + "{\"id\": \"one\", \"repo\": \"acme/one\", \"layout\": \"single-file\", \"family\": \"SD1\","
            + " \"files\": [{\"path\": \"one.safetensors\"}]},"
            + "{\"id\": \"folder\", \"repo\": \"acme/folder\", \"layout\": \"diffusers\", \"family\": \"SD1\","
            + " \"inpainting\": true, \"files\": [{\"path\": \"model_index.json\"}, {\"path\": \"unet/w.safetensors\"}]}]}";

    @TempDir Path dir;
    private MockWebServer server;
    private FakeHub hub;
    private ModelCatalog catalog;

    @BeforeEach
    void start() throws IOException {
        hub = new FakeHub();
        hub.put("acme/one", "one.safetensors", "single file bytes".getBytes(StandardCharsets.UTF_8));
        hub.put("acme/folder", "model_index.json", "{}".getBytes(StandardCharsets.UTF_8));
        hub.put("acme/folder", "unet/w.safetensors", "unet bytes".getBytes(StandardCharsets.UTF_8));
        server = new MockWebServer();
        server.setDispatcher(hub);
        server.start();
        catalog = ModelCatalog.parse(new StringReader(CATALOG));
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private ModelResolver resolver(boolean offline) {
        ModelSettings s = new ModelSettings(dir.resolve("cache"), server.url("/").toString(), null, offline, null, null);
        return new ModelResolver(catalog, s, Downloader.builder().endpoint(s.endpoint())
                .backoff(Duration.ofMillis(10)).build());
    }

    private static Path resolve(ModelResolver r, String model, Mode mode) throws Exception {
        return r.resolve(model, mode, DownloadListener.NONE, new CancellationToken());
    }

    @Test
    void bundledCatalogHasTheCanonicalModels() {
        ModelCatalog c = ModelCatalog.bundled();
        CatalogEntry sd15 = c.find("sd15").orElseThrow();
        assertEquals("stable-diffusion-v1-5/stable-diffusion-v1-5", sd15.repo());
        assertEquals(new CatalogFile("v1-5-pruned-emaonly.safetensors", 4_265_146_304L,
                "6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa"), sd15.files().get(0));
        CatalogEntry inpaint = c.find(c.defaultId(Mode.INPAINT)).orElseThrow();
        assertTrue(inpaint.inpainting());
        assertEquals("stable-diffusion-v1-5/stable-diffusion-inpainting", inpaint.repo());
        assertTrue(inpaint.files().stream().noneMatch(f -> f.path().matches(".*\\.(ckpt|bin|pt|pth)")),
                "never a pickle");
        assertTrue(inpaint.files().stream().anyMatch(f -> f.path().equals("unet/diffusion_pytorch_model.safetensors")));
        assertEquals("SD2", c.find("sd21-base").orElseThrow().family());
        assertEquals("v", c.find("sd21").orElseThrow().prediction());
        CatalogEntry turbo = c.find("sd-turbo").orElseThrow();   // its trailing scheduler config comes with the folder
        assertEquals("SD2", turbo.family());
        assertEquals("epsilon", turbo.prediction());
        assertTrue(turbo.files().stream().anyMatch(f -> f.path().equals("scheduler/scheduler_config.json")));
        assertTrue(turbo.files().stream().noneMatch(f -> f.path().matches(".*\\.(ckpt|bin|pt|pth)")), "never a pickle");
        assertEquals("sd15", c.defaultId(Mode.TXT2IMG));
    }

    @Test
    void settingsComeFromPropertiesThenEnvironment() {
        Properties props = new Properties();
        props.setProperty("diffusej.home", "/p/home");
        ModelSettings s = ModelSettings.from(Map.of("DIFFUSEJ_HOME", "/e/home", "HF_TOKEN", "hf_t",
                "HF_HUB_OFFLINE", "1", "DIFFUSEJ_INPAINT_MODEL", "folder", "HF_ENDPOINT", "http://mirror/"), props);
        assertEquals(Path.of("/p/home"), s.cacheDir());
        assertEquals("hf_t", s.token());
        assertTrue(s.offline());
        assertEquals("http://mirror", s.endpoint());
        assertEquals("folder", s.defaultModel(Mode.INPAINT, catalog));
        assertEquals("one", s.defaultModel(Mode.IMG2IMG, catalog));
        ModelSettings plain = ModelSettings.from(Map.of(), new Properties());
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "diffusej"), plain.cacheDir());
        assertEquals(ModelSettings.DEFAULT_ENDPOINT, plain.endpoint());
    }

    @Test
    void explicitPathWinsWithoutNetwork() throws Exception {
        Path local = Files.writeString(dir.resolve("mine.safetensors"), "x");
        assertEquals(local.toAbsolutePath(), resolve(resolver(true), local.toString(), Mode.TXT2IMG));
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void catalogIdDownloadsOnceThenComesFromTheCache() throws Exception {
        ModelResolver r = resolver(false);
        Path p = resolve(r, null, Mode.TXT2IMG); // default for txt2img = "one"
        assertEquals(r.cache().root().resolve("one/one.safetensors"), p);
        assertEquals("single file bytes", Files.readString(p));
        int requests = server.getRequestCount();
        assertEquals(p, resolve(resolver(true), "one", Mode.TXT2IMG), "cached: no network needed");
        assertEquals(requests, server.getRequestCount());
    }

    @Test
    void diffusersModelResolvesToItsFolder() throws Exception {
        ModelResolver r = resolver(false);
        Path p = resolve(r, null, Mode.INPAINT);
        assertEquals(r.cache().root().resolve("folder"), p);
        assertEquals("unet bytes", Files.readString(p.resolve("unet/w.safetensors")));
        assertTrue(r.cache().isComplete(catalog.find("folder").orElseThrow()));
    }

    @Test
    void offlineWithNothingCachedFailsFastWithOneSentence() {
        ModelResolver r = resolver(true);
        long t0 = System.nanoTime();
        ModelNotAvailableException e = assertThrows(ModelNotAvailableException.class, () -> resolve(r, "one", Mode.TXT2IMG));
        assertTrue((System.nanoTime() - t0) / 1e9 < 1.0);
        String m = e.getMessage();
        assertTrue(m.contains("one.safetensors") && m.contains(server.url("/acme/one/resolve/main/one.safetensors").toString())
                && m.contains(r.cache().root().resolve("one").toString()), m);
        assertEquals(0, server.getRequestCount());
    }

    @Test
    void offlineDiffusersModelNamesAllItsFilesInOneSentence() {
        ModelResolver r = resolver(true);
        ModelOfflineException e = assertThrows(ModelOfflineException.class, () -> resolve(r, "folder", Mode.INPAINT));
        String m = e.getMessage();
        assertTrue(m.contains("model_index.json, unet/w.safetensors") && m.contains(server.url("/acme/folder").toString())
                && m.contains(r.cache().folder(catalog.find("folder").orElseThrow()).toString()), m);
        assertEquals(1, m.split("\\. ").length, "one sentence: " + m);
    }

    @Test
    void unreachableHubForDiffusersModelGivesTheSameSentence() throws IOException {
        MockWebServer closed = new MockWebServer();
        closed.start();
        String url = closed.url("/").toString();
        closed.shutdown();
        ModelSettings s = new ModelSettings(dir.resolve("cache"), url, null, false, null, null);
        ModelResolver r = new ModelResolver(catalog, s, Downloader.forSettings(s));
        ModelOfflineException e = assertThrows(ModelOfflineException.class, () -> resolve(r, "folder", Mode.INPAINT));
        assertTrue(e.getMessage().contains("no connection to") && e.getMessage().contains("unet/w.safetensors"),
                e.getMessage());
    }

    @Test
    void unknownNameListsTheCatalogIds() {
        ModelNotAvailableException e = assertThrows(ModelNotAvailableException.class,
                () -> resolve(resolver(false), "nonexistent-model", Mode.TXT2IMG));
        assertTrue(e.getMessage().contains("one, folder"), e.getMessage());
    }

    @Test
    void listVerifyAndRemove() throws Exception {
        ModelResolver r = resolver(false);
        resolve(r, "one", Mode.TXT2IMG);
        CatalogEntry one = catalog.find("one").orElseThrow();
        ModelCache cache = r.cache();
        List<ModelCache.CachedModel> listed = cache.list(catalog);
        assertEquals(1, listed.size());
        assertTrue(listed.get(0).complete());
        assertTrue(cache.verify(one).ok());
        assertEquals(VerifyReport.Status.OK, cache.verify(one).files().get(0).status());

        Path file = cache.location(one);
        byte[] bytes = Files.readAllBytes(file);
        bytes[3] ^= 1; // one flipped bit, same size
        Files.write(file, bytes);
        VerifyReport bad = cache.verify(one);
        assertFalse(bad.ok());
        assertEquals(VerifyReport.Status.MISMATCH, bad.files().get(0).status());

        CatalogEntry folder = catalog.find("folder").orElseThrow();
        assertEquals(VerifyReport.Status.MISSING, cache.verify(folder).files().get(0).status());

        assertTrue(cache.remove(one));
        assertFalse(Files.exists(cache.folder(one)));
        assertTrue(cache.list(catalog).isEmpty());
        assertFalse(cache.remove(one));
    }
}
