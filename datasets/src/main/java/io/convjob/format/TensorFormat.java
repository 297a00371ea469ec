package io.convjob.format;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The tensor file formats, by name and file extension: the one list that {@code run} (input detection,
 * {@code --input-format}), {@code apply} ({@code --input}/{@code --output}) and the {@code arrow-tensor} data source
 * (which files of a directory are data) consult. A new format is a new constant here.
 */
public enum TensorFormat {
    /** Arrow IPC files ({@code .arrows}: the stream format) with an {@code arrow.fixed_shape_tensor} column. */
    ARROW("arrow", ".arrow", ".arrows", ".ipc", ".feather"),
    /** Parquet with the tensor as a list of float; shape from pyarrow's {@code ARROW:schema} or {@code --shape}. */
    PARQUET("parquet", ".parquet"),
    /** NumPy {@code .npy}: float32, C order, {@code (batch, channels, *spatial)}. */
    NPY("npy", ".npy"),
    /**
     * Image files, one tensor {@code (C, H, W)} each, as the spec's {@code preprocess} section makes it (job input;
     * decoded by {@code javax.imageio}).
     */
    IMAGE("image", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".wbmp");

    private final String optionName;
    private final List<String> extensions;

    TensorFormat(String optionName, String... extensions) {
        this.optionName = optionName;
        this.extensions = List.of(extensions);
    }

    /** The name options use, e.g. {@code --input-format parquet}. */
    public String optionName() { return optionName; }

    /** File name endings, lower case, with the dot. */
    public List<String> extensions() { return extensions; }

    /** True if {@code fileName} (or a path) ends with one of this format's extensions, in any case. */
    public boolean matches(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return extensions.stream().anyMatch(lower::endsWith);
    }

    /** The format a file name says, or null. */
    public static TensorFormat ofFile(String fileName) {
        for (TensorFormat format : values()) {
            if (format.matches(fileName)) return format;
        }
        return null;
    }

    /**
     * The format named {@code name} (any case) among {@code accepted}.
     *
     * @throws IllegalArgumentException {@code 'x' is not arrow or parquet}
     */
    public static TensorFormat named(String name, Collection<TensorFormat> accepted) {
        for (TensorFormat format : accepted) {
            if (format.optionName.equalsIgnoreCase(name)) return format;
        }
        throw new IllegalArgumentException("'" + name + "' is not " + names(accepted));
    }

    /** {@code arrow or parquet}: the option names, for messages. */
    public static String names(Collection<TensorFormat> formats) {
        List<String> names = formats.stream().map(TensorFormat::optionName).toList();
        if (names.size() < 2) return String.join("", names);
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", ")) + " or "
                + names.get(names.size() - 1);
    }
}
