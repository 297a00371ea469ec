package io.convjob.io;

import java.nio.ByteBuffer;
import java.util.Optional;

/** The dtypes of the safetensors format with their sizes, so any file's offsets can be validated. */
enum SafetensorsDtype {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

    static final String SUPPORTED_FLOATS = "F32, F16, BF16, F64";

    final int size;

    SafetensorsDtype(int size) { this.size = size; }

    static Optional<SafetensorsDtype> parse(String name) {
        for (SafetensorsDtype dtype : values()) {
            if (dtype.name().equals(name)) return Optional.of(dtype);
        }
        return Optional.empty();
    }

    /** The float32 conversion for this dtype, if we read it as floats. */
    Optional<FloatDtype> asFloat() {
        return switch (this) {
            case F16 -> Optional.of(FloatDtype.F16);
            case BF16 -> Optional.of(FloatDtype.BF16);
            case F32 -> Optional.of(FloatDtype.F32);
            case F64 -> Optional.of(FloatDtype.F64);
            default -> Optional.empty();
        };
    }

    boolean isInteger() {
        return switch (this) {
            case U8, I8, I16, U16, I32, U32, I64, U64 -> true;
            default -> false;
        };
    }

    /** Reads one integer of this dtype (little-endian buffer); unsigned types zero-extend, U64 keeps its bits. */
    long readInteger(ByteBuffer src) {
        return switch (this) {
            case U8 -> src.get() & 0xffL;
            case I8 -> src.get();
            case U16 -> src.getShort() & 0xffffL;
            case I16 -> src.getShort();
            case U32 -> src.getInt() & 0xffffffffL;
            case I32 -> src.getInt();
            case I64, U64 -> src.getLong();
            default -> throw new IllegalStateException(this + " is not an integer dtype");
        };
    }
}
