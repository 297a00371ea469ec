package io.convjob.arrow;

import java.util.Locale;
import org.apache.arrow.vector.compression.CompressionUtil;

/**
 * How record batch buffers are compressed in written Arrow IPC files (the IPC format's per-buffer compression,
 * which pyarrow writes with {@code compression=} and every Arrow reader of format 1.0 or later reads).
 */
public enum TensorCompression {
    NONE(CompressionUtil.CodecType.NO_COMPRESSION),
    LZ4(CompressionUtil.CodecType.LZ4_FRAME),
    ZSTD(CompressionUtil.CodecType.ZSTD);

    private final CompressionUtil.CodecType codec;

    TensorCompression(CompressionUtil.CodecType codec) {
        this.codec = codec;
    }

    public CompressionUtil.CodecType codec() {
        return codec;
    }

    /** The option's spelling: {@code none}, {@code lz4}, {@code zstd}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code none|lz4|zstd} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TensorCompression parse(String text) {
        for (TensorCompression c : values()) if (c.optionName().equalsIgnoreCase(text.trim())) return c;
        throw new IllegalArgumentException("compression must be none, lz4 or zstd, got '" + text + "'");
    }
}
