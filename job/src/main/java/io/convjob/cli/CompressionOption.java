package io.convjob.cli;

import io.convjob.arrow.TensorCompression;
import picocli.CommandLine;

/** {@code --compression none|lz4|zstd} of {@code apply} and {@code run}: one parser, one message for a bad value. */
final class CompressionOption implements CommandLine.ITypeConverter<TensorCompression> {
    @Override public TensorCompression convert(String value) {
        try {
            return TensorCompression.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
