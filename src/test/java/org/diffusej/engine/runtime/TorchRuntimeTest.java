package org.diffusej.engine.runtime;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The allocator switch reaches the native environment that libtorch reads (not Java's cached copy of it), and a value
 * the user exported is left alone. (The Maven build exports {@value TorchRuntime#THP_VARIABLE}=1 to every test JVM, so
 * the setting mechanism itself is checked with a variable of its own; the same holds for
 * {@value TorchRuntime#OMP_WAIT_VARIABLE}=PASSIVE.)
 */
class TorchRuntimeTest {

    @Test
    void setsTheNativeEnvironmentAndKeepsExportedValues() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "setenv: Linux only here");
        String name = "DIFFUSEJ_TORCH_RUNTIME_TEST";
        TorchRuntime.setNativeEnvironment(name, "on");
        assertEquals("on", nativeGetenv(name), "native code sees the value");
        TorchRuntime.setNativeEnvironment(name, "off");
        assertEquals("on", nativeGetenv(name), "a value already set is kept");
    }

    @Test
    void hugePagesAreRequestedForLibtorch() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "transparent huge pages: Linux only");
        TorchRuntime.engine();
        String exported = System.getenv(TorchRuntime.THP_VARIABLE);
        String status = TorchRuntime.hugePagesStatus();
        if (exported == null) {
            assertEquals("1", nativeGetenv(TorchRuntime.THP_VARIABLE), "libtorch reads the C environment");
            assertTrue(status.startsWith("transparent huge pages"), status);
        } else {
            assertEquals(exported, nativeGetenv(TorchRuntime.THP_VARIABLE), "the user's own value is kept");
            assertTrue(status.endsWith("(from the environment)"), status);
        }
    }

    @Test
    void openMpWorkersSleepUnlessTheUserChoseOtherwise() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "setenv: Linux only here");
        TorchRuntime.engine();
        String exported = System.getenv(TorchRuntime.OMP_WAIT_VARIABLE);
        String policy = TorchRuntime.ompWaitPolicy();
        if (exported == null) {
            assertEquals("PASSIVE", nativeGetenv(TorchRuntime.OMP_WAIT_VARIABLE), "libgomp reads the C environment");
            assertEquals("PASSIVE", policy);
        } else {
            assertEquals(exported, nativeGetenv(TorchRuntime.OMP_WAIT_VARIABLE), "the user's own value is kept");
            assertTrue(policy.endsWith("(from the environment)"), policy);
        }
    }

    private static String nativeGetenv(String name) {
        Pointer value = (Pointer) NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("getenv")
                .invoke(Pointer.class, new Object[] {name});
        return value == null ? null : value.getString(0);
    }
}
