package org.diffusej.diagnostics;

import org.diffusej.engine.Mode;
import org.diffusej.models.ModelCatalog;
import org.diffusej.models.ModelSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings that change what DiffuseJ does: offline mode, Hub endpoint, default models, and the environment
 * variables DiffuseJ and libtorch read. The Hugging Face token is only ever reported as set or not.
 *
 * @param offline             resolve models from disk only
 * @param endpoint            the Hugging Face Hub (or mirror) URL, without credentials
 * @param hfTokenSet          whether a Hugging Face token is configured (its value is never reported)
 * @param defaultModel        the model txt2img and img2img use when none is named
 * @param defaultInpaintModel the model inpainting uses when none is named
 * @param environment         the variables of {@link #VARIABLES} that are set, with their values (home folder as ~)
 * @param notSet              the variables of {@link #VARIABLES} that are not set
 */
public record SettingsSection(boolean offline, String endpoint, boolean hfTokenSet, String defaultModel,
                              String defaultInpaintModel, Map<String, String> environment, List<String> notSet)
        implements Facts {
    /** The variables reported by value: DiffuseJ's own, the Hub's, and the native libraries' switches. */
    public static final List<String> VARIABLES = List.of("DIFFUSEJ_HOME", "DIFFUSEJ_OFFLINE", "HF_HUB_OFFLINE",
            "HF_ENDPOINT", "DIFFUSEJ_MODEL", "DIFFUSEJ_INPAINT_MODEL", "ONEDNN_MAX_CPU_ISA", "OMP_NUM_THREADS",
            "THP_MEM_ALLOC_ENABLE");
    /** The variable whose value is never reported. */
    public static final String TOKEN_VARIABLE = "HF_TOKEN";

    /** The effective {@code settings} (environment and -D properties) and the raw {@code env}. */
    static SettingsSection gather(Map<String, String> env, ModelSettings settings, ModelCatalog catalog) {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> notSet = new ArrayList<>();
        for (String name : VARIABLES) {
            String v = env.get(name);
            if (v == null) notSet.add(name);
            else set.put(name, name.equals("HF_ENDPOINT") ? Redact.url(v) : Redact.path(v));
        }
        return new SettingsSection(settings.offline(), Redact.url(settings.endpoint()), settings.token() != null,
                Redact.path(settings.defaultModel(Mode.TXT2IMG, catalog)),
                Redact.path(settings.defaultModel(Mode.INPAINT, catalog)), set, notSet);
    }

    @Override
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        out.add(new Line("offline", offline ? "yes (models from disk only)" : "no"));
        out.add(new Line("Hub endpoint", endpoint));
        out.add(new Line(TOKEN_VARIABLE, hfTokenSet ? "set (value not shown)" : "not set"));
        out.add(new Line("default models", defaultModel + "; inpainting " + defaultInpaintModel));
        environment.forEach((k, v) -> out.add(new Line(k, v)));
        if (!notSet.isEmpty()) out.add(new Line("not set", String.join(" ", notSet)));
        return out;
    }
}
