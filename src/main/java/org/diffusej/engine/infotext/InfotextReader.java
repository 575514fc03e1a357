package org.diffusej.engine.infotext;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import org.diffusej.engine.text.PromptParser;
import org.diffusej.engine.text.PromptSyntaxException;
import org.diffusej.engine.text.WeightedText;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusej.engine.SamplerNames;

/** A1111's {@code parse_generation_parameters} (webui v1.10.1, no styles defined, default settings); see {@link Infotext#parse}. */
final class InfotextReader {
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES;
    private static final Pattern PARAM = Pattern.compile("\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)", FLAGS);
    private static final Pattern IMAGE_SIZE = Pattern.compile("^(\\d+)x(\\d+)$", FLAGS);

    private InfotextReader() { }

    static Map<String, Object> parse(String text) {
        Map<String, Object> res = new LinkedHashMap<>();
        String[] all = PythonText.strip(text).split("\n", -1);
        List<String> lines = new ArrayList<>(List.of(all).subList(0, all.length - 1));
        String lastLine = all[all.length - 1];
        if (params(lastLine).size() < 3) {
            lines.add(lastLine);
            lastLine = "";
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean doneWithPrompt = false;
        for (String raw : lines) {
            String line = PythonText.strip(raw);
            if (line.startsWith("Negative prompt:")) {
                doneWithPrompt = true;
                line = PythonText.strip(line.substring(16));
            }
            StringBuilder target = doneWithPrompt ? negative : prompt;
            if (target.length() > 0) target.append('\n');
            target.append(line);
        }
        for (String[] kv : params(lastLine)) {
            String k = kv[0], v = kv[1];
            if (v.isEmpty()) continue; // A1111: v[0] raises, the pair is reported and skipped
            if (v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') v = unquote(v);
            Matcher size = IMAGE_SIZE.matcher(v);
            if (size.find()) {
                res.put(k + "-1", size.group(1));
                res.put(k + "-2", size.group(2));
            } else {
                res.put(k, v);
            }
        }
        hiresPrompts(res, prompt.toString(), negative.toString());
        res.put("Prompt", prompt.toString());
        res.put("Negative prompt", negative.toString());
        fillDefaults(res);
        backCompat(res);
        return res;
    }

    private static List<String[]> params(String line) {
        List<String[]> out = new ArrayList<>();
        Matcher m = PARAM.matcher(line);
        while (m.find()) out.add(new String[] {m.group(1), m.group(2)});
        return out;
    }

    /** {@code json.loads} of a quoted value; the text itself if it is not exactly one JSON string. */
    private static String unquote(String v) {
        try (JsonReader r = new JsonReader(new StringReader(v))) {
            String s = r.nextString();
            return r.peek() == JsonToken.END_DOCUMENT ? s : v;
        } catch (IOException | IllegalStateException e) {
            return v;
        }
    }

    /** With no styles defined A1111 blanks a hires prompt equal to the main one (for texts newer than 1.8.0-139). */
    private static void hiresPrompts(Map<String, Object> res, String prompt, String negative) {
        if (!res.containsKey("Hires prompt") && !res.containsKey("Hires negative prompt")) return;
        InfotextVersion v = InfotextVersion.parse((String) res.get("Version"));
        if (v != null && v.compareTo(InfotextVersion.V180_HR_STYLES) <= 0) return;
        Object hrPrompt = res.getOrDefault("Hires prompt", prompt);
        Object hrNegative = res.getOrDefault("Hires negative prompt", negative);
        res.put("Hires prompt", hrPrompt.equals(prompt) ? "" : hrPrompt);
        res.put("Hires negative prompt", hrNegative.equals(negative) ? "" : hrNegative);
    }

    private static void fillDefaults(Map<String, Object> res) {
        res.putIfAbsent("Clip skip", "1");
        Object hypernet = res.get("Hypernet");
        if (hypernet != null)
            res.put("Prompt", res.get("Prompt") + "<hypernet:" + hypernet + ":" + res.getOrDefault("Hypernet strength", "1.0") + ">");
        if (!res.containsKey("Hires resize-1")) {
            res.put("Hires resize-1", 0);
            res.put("Hires resize-2", 0);
        }
        res.putIfAbsent("Hires sampler", "Use same sampler");
        res.putIfAbsent("Hires schedule type", "Use same scheduler");
        res.putIfAbsent("Hires checkpoint", "Use same checkpoint");
        res.putIfAbsent("Hires prompt", "");
        res.putIfAbsent("Hires negative prompt", "");
        res.putIfAbsent("Mask mode", "Inpaint masked");
        res.putIfAbsent("Masked content", "original");
        res.putIfAbsent("Inpaint area", "Whole picture");
        res.putIfAbsent("Masked area padding", 32);
        restoreOldHiresFix(res);
        res.putIfAbsent("RNG", "GPU");
        res.putIfAbsent("Schedule type", SamplerNames.AUTOMATIC);
        res.putIfAbsent("Schedule max sigma", 0);
        res.putIfAbsent("Schedule min sigma", 0);
        res.putIfAbsent("Schedule rho", 0);
        res.putIfAbsent("VAE Encoder", "Full");
        res.putIfAbsent("VAE Decoder", "Full");
        res.putIfAbsent("FP8 weight", "Disable");
        if (!res.containsKey("Cache FP16 weight for LoRA") && !"Disable".equals(res.get("FP8 weight")))
            res.put("Cache FP16 weight for LoRA", false);
        if (!res.containsKey("Emphasis") && usesEmphasis((String) res.get("Prompt"), (String) res.get("Negative prompt")))
            res.put("Emphasis", "Original");
        res.putIfAbsent("Refiner switch by sampling steps", false);
    }

    private static boolean usesEmphasis(String prompt, String negative) {
        try {
            List<WeightedText> all = new ArrayList<>(PromptParser.parse(prompt));
            all.addAll(PromptParser.parse(negative));
            return all.stream().anyMatch(p -> p.weight() != 1.0 && !p.text().equals("BREAK"));
        } catch (PromptSyntaxException e) {
            return false; // A1111 would raise here; an unreadable weight cannot mean emphasis was used as intended
        }
    }

    /** "First pass size" of pre-1.0 hires fix → Size (first pass) and Hires resize (final size). */
    private static void restoreOldHiresFix(Map<String, Object> res) {
        Object fw = res.get("First pass size-1"), fh = res.get("First pass size-2");
        if (fw == null || fh == null) return;
        int firstW = Integer.parseInt(fw.toString()), firstH = Integer.parseInt(fh.toString());
        int width = Integer.parseInt(res.getOrDefault("Size-1", 512).toString());
        int height = Integer.parseInt(res.getOrDefault("Size-2", 512).toString());
        if (firstW == 0 || firstH == 0) {
            double scale = Math.sqrt(512.0 * 512.0 / ((double) width * height));
            firstW = (int) Math.ceil(scale * width / 64) * 64;
            firstH = (int) Math.ceil(scale * height / 64) * 64;
        }
        res.put("Size-1", firstW);
        res.put("Size-2", firstH);
        res.put("Hires resize-1", width);
        res.put("Hires resize-2", height);
    }

    /** {@code infotext_versions.backcompat}: behaviour switches for texts written by older A1111 versions. */
    private static void backCompat(Map<String, Object> res) {
        InfotextVersion v = InfotextVersion.parse((String) res.get("Version"));
        if (v == null) return;
        if (v.compareTo(InfotextVersion.V160) < 0 && res.getOrDefault("Prompt", "").toString().contains("["))
            res.put("Old prompt editing timelines", true);
        Object sampler = res.getOrDefault("Sampler", "");
        if (v.compareTo(InfotextVersion.V160) < 0 && (sampler.equals(SamplerNames.DDIM) || sampler.equals(SamplerNames.PLMS)))
            res.put("Pad conds v0", true);
        if (v.compareTo(InfotextVersion.V170_TSNR) < 0) res.put("Downcast alphas_cumprod", true);
        Object refiner = res.get("Refiner");
        if (v.compareTo(InfotextVersion.V180) < 0 && refiner != null && !refiner.toString().isEmpty())
            res.put("Refiner switch by sampling steps", true);
    }
}
