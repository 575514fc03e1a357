package org.diffusej.engine.sampler;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.DiffusionException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusej.engine.PredictionType;

/**
 * The training noise schedule of a model (diffusers' scheduler config): betas, how inference timesteps are spaced,
 * and what the UNet predicts. Shared by every sampler; the values computed here follow torch's float32 arithmetic so
 * that timesteps and sigmas equal diffusers'.
 *
 * @param numTrainTimesteps training timesteps T (1000)
 * @param betaStart         first beta
 * @param betaEnd           last beta
 * @param betaSchedule      "scaled_linear" (SD), "linear" or "squaredcos_cap_v2"
 * @param stepsOffset       added to leading-spaced timesteps (SD: 1)
 * @param timestepSpacing   "leading" (SD), "trailing" or "linspace"
 * @param predictionType    epsilon or v
 * @param setAlphaToOne     whether the step past t=0 uses alpha 1 (true) or alphas_cumprod[0] (false, SD)
 */
public record NoiseSchedule(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                            int stepsOffset, String timestepSpacing, PredictionType predictionType,
                            boolean setAlphaToOne) {

    public NoiseSchedule {
        if (numTrainTimesteps < 2) throw new IllegalArgumentException("num_train_timesteps must be > 1");
        TimestepSpacing.fromDiffusers(timestepSpacing);
        if (!betaSchedule.equals("scaled_linear") && !betaSchedule.equals("linear")
                && !betaSchedule.equals("squaredcos_cap_v2"))
            throw new IllegalArgumentException("beta_schedule '" + betaSchedule + "' is not supported");
    }

    /** Stable Diffusion 1.x/2.x defaults (epsilon). */
    public static NoiseSchedule sd() {
        return new NoiseSchedule(1000, 0.00085, 0.012, "scaled_linear", 1, "leading", PredictionType.EPSILON, false);
    }

    /** Reads a diffusers {@code scheduler_config.json}; missing keys take the SD defaults. */
    public static NoiseSchedule fromDiffusersConfig(Path json) throws DiffusionException {
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new DiffusionException("Cannot read the scheduler configuration " + json + ": " + e.getMessage(), e);
        }
        NoiseSchedule d = sd();
        try {
            if (o.has("trained_betas") && !o.get("trained_betas").isJsonNull())
                throw new DiffusionException("The scheduler configuration " + json
                        + " lists trained_betas; only computed beta schedules are supported.");
            return new NoiseSchedule(
                    intOr(o, "num_train_timesteps", d.numTrainTimesteps),
                    doubleOr(o, "beta_start", d.betaStart),
                    doubleOr(o, "beta_end", d.betaEnd),
                    stringOr(o, "beta_schedule", d.betaSchedule),
                    intOr(o, "steps_offset", 0),
                    stringOr(o, "timestep_spacing", d.timestepSpacing),
                    PredictionType.fromDiffusers(stringOr(o, "prediction_type", "epsilon")),
                    o.has("set_alpha_to_one") && o.get("set_alpha_to_one").getAsBoolean());
        } catch (IllegalArgumentException e) {
            throw new DiffusionException("The scheduler configuration " + json + " is not usable: " + e.getMessage(), e);
        }
    }

    /** The same schedule with another prediction type (a user override for v-models without a config). */
    public NoiseSchedule withPredictionType(PredictionType p) {
        return new NoiseSchedule(numTrainTimesteps, betaStart, betaEnd, betaSchedule, stepsOffset, timestepSpacing, p,
                setAlphaToOne);
    }

    /** The same schedule with another {@code timestep_spacing}; null keeps this one's (a per-request override). */
    public NoiseSchedule withSpacing(String spacing) {
        if (spacing == null || spacing.equals(timestepSpacing)) return this;
        return new NoiseSchedule(numTrainTimesteps, betaStart, betaEnd, betaSchedule, stepsOffset, spacing,
                predictionType, setAlphaToOne);
    }

    public TimestepSpacing spacing() {
        return TimestepSpacing.fromDiffusers(timestepSpacing);
    }

    /** Betas as torch computes them in float32. */
    public float[] betas() {
        int n = numTrainTimesteps;
        float[] b = new float[n];
        switch (betaSchedule) {
            case "linear" -> b = linspace((float) betaStart, (float) betaEnd, n);
            case "scaled_linear" -> {
                b = linspace((float) Math.sqrt(betaStart), (float) Math.sqrt(betaEnd), n);
                for (int i = 0; i < n; i++) b[i] = b[i] * b[i];
            }
            default -> { // squaredcos_cap_v2
                for (int i = 0; i < n; i++)
                    b[i] = (float) Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
            }
        }
        return b;
    }

    /** Cumulative product of (1 - beta): float32 values, accumulated in double like torch's CPU cumprod. */
    public float[] alphasCumprod() {
        float[] b = betas();
        float[] ac = new float[b.length];
        double acc = 1;
        for (int i = 0; i < b.length; i++) {
            acc *= (1f - b[i]);
            ac[i] = (float) acc;
        }
        return ac;
    }

    /** Noise level sigma_t = sqrt((1 - ᾱ_t) / ᾱ_t) for every training timestep, in float32. */
    public float[] trainSigmas() {
        float[] ac = alphasCumprod();
        float[] s = new float[ac.length];
        for (int i = 0; i < ac.length; i++) s[i] = (float) Math.sqrt((1f - ac[i]) / ac[i]);
        return s;
    }

    /** ᾱ used for the step after the last timestep. */
    public double finalAlphaCumprod() {
        return setAlphaToOne ? 1.0 : alphasCumprod()[0];
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** torch.linspace for float32 on CPU: forward from start for the first half, backward from end after. */
    private static float[] linspace(float start, float end, int n) {
        float[] r = new float[n];
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) r[i] = i < half ? start + step * i : end - step * (n - 1 - i);
        return r;
    }

    private static int intOr(JsonObject o, String k, int d) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? d : e.getAsInt();
    }

    private static double doubleOr(JsonObject o, String k, double d) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? d : e.getAsDouble();
    }

    private static String stringOr(JsonObject o, String k, String d) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? d : e.getAsString();
    }
}
