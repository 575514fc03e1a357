package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared engine: loaded once, reused, reloaded on new settings, unloaded on request, under the plugin class loader. */
class DiffusionServiceTest {
    private final List<FakeEngine> opened = new ArrayList<>();
    private final List<ClassLoader> loaders = new ArrayList<>();
    private final CommandHarness h = new CommandHarness(s -> {
        loaders.add(Thread.currentThread().getContextClassLoader());
        FakeEngine e = CommandHarness.fakeEngine();
        opened.add(e);
        return e;
    });

    @AfterEach
    void close() { h.close(); }

    private static Request tiny() {
        return Request.builder(Mode.TXT2IMG).size(8, 8).steps(1).seed(1).build();
    }

    @Test
    void loadsOnceAndSharesTheEngine() throws Exception {
        DiffusionService s = h.diffusion;
        assertFalse(s.isLoaded());
        s.generate(tiny(), ProgressListener.NONE, new CancellationToken());
        s.sharedEngine().generate(tiny(), ProgressListener.NONE, new CancellationToken());
        s.sharedEngine().close();
        assertEquals(1, opened.size());
        assertEquals(2, opened.get(0).requests().size());
        assertFalse(opened.get(0).isClosed(), "closing the shared view leaves the model loaded");
        assertEquals("pattern [0123456789]", s.model().title());
    }

    @Test
    void newSettingsReloadAndUnloadCloses() throws Exception {
        DiffusionService s = h.diffusion;
        s.configure(new EngineSettings("a.safetensors", "cpu", "fp32"));
        s.model();
        s.configure(new EngineSettings("a.safetensors", "cpu", "fp32"));
        s.model();
        assertEquals(1, opened.size(), "same settings: no reload");
        s.configure(new EngineSettings("b.safetensors", "cpu", "fp32"));
        assertTrue(opened.get(0).isClosed());
        s.model();
        assertEquals(2, opened.size());
        s.unload();
        assertTrue(opened.get(1).isClosed());
        assertFalse(s.isLoaded());
    }

    @Test
    void enginesOpenAndRunUnderThePluginClassLoader() throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(new URLClassLoader(new URL[0], null)); // like Fiji's thread loader: no DJL engines
        try {
            h.diffusion.model();
        } finally {
            t.setContextClassLoader(previous);
        }
        assertSame(DefaultDiffusionService.class.getClassLoader(), loaders.get(0));
        assertEquals("true", System.getProperty("ai.djl.offline"));
    }

    @Test
    void modelAndDeviceCommandConfiguresLoadsAndUnloads() throws Exception {
        org.scijava.command.CommandModule m = h.run(ModelAndDeviceCommand.class, "model", "/tmp/x.safetensors", "device", "cpu", "precision", "fp32", "action", "Load now");
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(h.diffusion.isLoaded());
        assertEquals("pattern [0123456789]", h.diffusion.model().title());
        assertEquals(new EngineSettings("/tmp/x.safetensors", "cpu", "fp32"), h.diffusion.settings());
        h.run(ModelAndDeviceCommand.class, "model", "/tmp/x.safetensors", "device", "cpu", "precision", "fp32", "action", "Unload");
        assertFalse(h.diffusion.isLoaded());
        assertTrue(opened.get(0).isClosed());
    }
}
