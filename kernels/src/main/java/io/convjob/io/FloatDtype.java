package io.convjob.io;

import java.nio.ByteBuffer;

/** The float encodings we read, each decoded to float32 (F64 rounds to nearest even, as a Java cast does). */
public enum FloatDtype {
    F16(2), BF16(2), F32(4), F64(8);

    final int size;

    /** Bytes per value. */
    public int size() { return size; }

    FloatDtype(int size) { this.size = size; }

    /** Decodes {@code count} values from {@code src} (byte order already set) into {@code dst[offset..]}, advancing src. */
    public void decode(ByteBuffer src, float[] dst, int offset, int count) {
        switch (this) {
            case F32 -> {
                src.asFloatBuffer().get(dst, offset, count);
                src.position(src.position() + count * size);
            }
            case F64 -> {
                for (int i = 0; i < count; i++) dst[offset + i] = (float) src.getDouble();
            }
            case BF16 -> {
                // bfloat16 is the high half of a float32
                for (int i = 0; i < count; i++) dst[offset + i] = Float.intBitsToFloat((src.getShort() & 0xffff) << 16);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) dst[offset + i] = halfToFloat(src.getShort());
            }
        }
    }

    /** IEEE binary16 to float32, exactly (every half value is a float). Java 17 lacks Float.float16ToFloat. */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // zero or subnormal: mantissa * 2^-24, exact
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
    }
}
