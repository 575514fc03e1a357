package org.diffusej.bridge;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A1111's {@code sd_vae} option on this server: "Automatic" (the start-up VAE), "None" (the model's own) or a name
 * {@link VaeFolders} lists, set through {@code POST /sdapi/v1/options} or for one job in {@code override_settings}.
 * Names are checked before anything runs; the switch itself happens while no generation runs, and a failed one keeps
 * the previous model and VAE serving.
 */
final class VaeSwitch {
    private static final Logger LOG = Logger.getLogger(VaeSwitch.class.getName());
    private final BridgeServer server;
    private String current = VaeFolders.AUTOMATIC;

    VaeSwitch(BridgeServer server) {
        this.server = server;
    }

    /** The {@code sd_vae} value in force. */
    synchronized String current() { return current; }

    /** The provider's choice for a checked name; a 404 naming {@code field} for anything not listed. */
    ModelProvider.VaeChoice choice(String name, String field) throws ApiException {
        Path file = server.vaes().resolve(name, field);
        if (file != null) return new ModelProvider.VaeChoice(file, false);
        return VaeFolders.NONE.equals(name) ? ModelProvider.VaeChoice.NONE : ModelProvider.VaeChoice.AUTOMATIC;
    }

    /** {@code POST /sdapi/v1/options} with {@code sd_vae}: switches once the queue is idle. */
    void switchTo(String name) throws ApiException {
        ModelProvider.VaeChoice choice = choice(name, "sd_vae");
        try {
            server.queue().whileIdle(() -> {
                apply(name, choice);
                return null;
            });
        } catch (ApiException e) {
            throw e;
        } catch (Exception | Error e) { // NOPMD: a failed load (even a StackOverflowError) is answered, never fatal
            LOG.log(Level.WARNING, "switching the VAE to '" + name + "' failed", e);
            throw new ApiException(500, "VaeLoadFailed", "sd_vae: VAE '" + OriginPolicy.quote(name) + "' could not be "
                    + "loaded with the model (the server's log says why); sd_vae stays '" + current() + "'.");
        }
    }

    /** The setup of a job with {@code override_settings.sd_vae}; the previous VAE comes back after it if asked. */
    Job.Setup forJob(String name, boolean restoreAfterwards) throws ApiException {
        if (name == null) return Job.Setup.NONE;
        ModelProvider.VaeChoice choice = choice(name, "override_settings.sd_vae");
        return () -> {
            String before = current();
            ModelProvider.VaeChoice beforeChoice = server.models().vae();
            if (before.equals(name)) return () -> { };
            apply(name, choice);
            return restoreAfterwards ? () -> apply(before, beforeChoice) : () -> { };
        };
    }

    private void apply(String name, ModelProvider.VaeChoice choice) throws ApiException, org.diffusej.engine.DiffusionException {
        try {
            server.models().selectVae(choice);
        } catch (ModelProvider.VaeSwitchUnsupportedException e) {
            throw new ApiException(409, "VaeSwitchUnsupported", e.getMessage());
        }
        synchronized (this) {
            current = name;
        }
    }

    /** Both setups in turn (checkpoint first), undone in reverse order. */
    static Job.Setup both(Job.Setup first, Job.Setup second) {
        if (first == Job.Setup.NONE) return second;
        if (second == Job.Setup.NONE) return first;
        return () -> {
            AutoCloseable a = first.prepare();
            AutoCloseable b;
            try {
                b = second.prepare();
            } catch (Exception e) {
                a.close();
                throw e;
            }
            return () -> {
                try {
                    b.close();
                } finally {
                    a.close();
                }
            };
        };
    }
}
