package org.diffusej.engine.weights;

/** IEEE 754 half-precision conversions (Java 17 lacks {@code Float.float16ToFloat}). */
public final class Half {
    private Half() { }

    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant / 1024f / 16384f; // subnormal: mant × 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Round-to-nearest-even conversion to half bits. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int val = bits & 0x7fffffff;
        if (val >= 0x7f800000) return (short) (sign | 0x7c00 | (val > 0x7f800000 ? 0x200 : 0)); // inf / NaN
        if (val >= 0x477ff000) return (short) (sign | 0x7c00); // overflow → inf
        if (val < 0x38800000) { // subnormal or zero
            if (val < 0x33000000) return (short) sign;
            int e = val >>> 23;
            int m = (val & 0x7fffff) | 0x800000;
            int shift = 126 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
            return (short) (sign | half);
        }
        int h = ((val - 0x38000000) >>> 13);
        int rem = val & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) h++;
        return (short) (sign | h);
    }
}
