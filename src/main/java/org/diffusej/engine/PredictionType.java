package org.diffusej.engine;

/** What the UNet was trained to predict: the added noise (SD1, SD2-base) or the velocity v (SD2 768-v). */
public enum PredictionType {
    EPSILON,
    V_PREDICTION;

    /** Parses diffusers' {@code prediction_type} value ("epsilon", "v_prediction"). */
    public static PredictionType fromDiffusers(String name) {
        return switch (name) {
            case "epsilon" -> EPSILON;
            case "v_prediction" -> V_PREDICTION;
            default -> throw new IllegalArgumentException(
                    "prediction_type '" + name + "' is not supported (epsilon, v_prediction)");
        };
    }
}
