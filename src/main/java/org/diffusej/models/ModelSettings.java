package org.diffusej.models;

import org.diffusej.engine.Mode;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Where models are cached and fetched from, read from the environment (or set by Fiji's options).
 *
 * <p>Environment: {@code DIFFUSEJ_HOME} (cache folder, default {@code ~/.cache/diffusej}), {@code HF_TOKEN}
 * (for gated repositories), {@code HF_ENDPOINT} (a Hub mirror, default {@code https://huggingface.co}),
 * {@code DIFFUSEJ_OFFLINE=1} or {@code HF_HUB_OFFLINE=1} (never touch the network), {@code DIFFUSEJ_MODEL} and
 * {@code DIFFUSEJ_INPAINT_MODEL} (default model ids or paths). The same keys as Java system properties in lower
 * case with dots ({@code diffusej.home}, {@code diffusej.model}, ...) take precedence.
 *
 * @param cacheDir           the cache folder
 * @param endpoint           Hub base URL without trailing slash
 * @param token              Hugging Face access token, or null
 * @param offline            true: resolve only from disk
 * @param defaultModel       default for txt2img/img2img (catalog id or path), or null for the catalog's
 * @param defaultInpaintModel default for inpainting, or null for the catalog's
 */
public record ModelSettings(Path cacheDir, String endpoint, String token, boolean offline, String defaultModel,
                            String defaultInpaintModel) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public ModelSettings {
        endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.replaceAll("/+$", "");
        token = token == null || token.isBlank() ? null : token.trim();
    }

    /** Settings from system properties and the process environment. */
    public static ModelSettings fromEnvironment() {
        return from(System.getenv(), System.getProperties());
    }

    /** Settings from the given environment and properties (tests pass their own). */
    public static ModelSettings from(Map<String, String> env, java.util.Properties props) {
        String home = pick(env, props, "DIFFUSEJ_HOME", "diffusej.home");
        Path cache = home != null ? Paths.get(home)
                : Paths.get(System.getProperty("user.home"), ".cache", "diffusej");
        String endpoint = pick(env, props, "HF_ENDPOINT", "diffusej.endpoint");
        String token = pick(env, props, "HF_TOKEN", "diffusej.hf.token");
        boolean offline = truthy(pick(env, props, "DIFFUSEJ_OFFLINE", "diffusej.offline"))
                || truthy(env.get("HF_HUB_OFFLINE"));
        return new ModelSettings(cache, endpoint, token, offline,
                pick(env, props, "DIFFUSEJ_MODEL", "diffusej.model"),
                pick(env, props, "DIFFUSEJ_INPAINT_MODEL", "diffusej.inpaint.model"));
    }

    /** The user's default model for a mode (id or path), or the catalog's. */
    public String defaultModel(Mode mode, ModelCatalog catalog) {
        String user = mode == Mode.INPAINT ? defaultInpaintModel : defaultModel;
        return user != null ? user : catalog.defaultId(mode);
    }

    private static String pick(Map<String, String> env, java.util.Properties props, String envKey, String propKey) {
        String v = props.getProperty(propKey);
        if (v == null || v.isBlank()) v = env.get(envKey);
        return v == null || v.isBlank() ? null : v;
    }

    private static boolean truthy(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"));
    }
}
