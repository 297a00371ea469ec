package io.convjob.torch;

import io.convjob.io.NamedTensor;
import io.convjob.io.SafetensorsReader;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A state dict written by {@code safetensors.torch.save_file}: the same names and layouts as {@code torch.save}. */
public final class SafetensorsStateDict implements StateDict {
    private final Path file;
    private final Map<String, SafetensorsReader.Entry> entries = new LinkedHashMap<>();

    private SafetensorsStateDict(Path file, SafetensorsReader reader) {
        this.file = file;
        reader.entries().forEach(e -> entries.put(e.name(), e));
    }

    /** Validates the header; tensors are read on demand. */
    public static SafetensorsStateDict open(Path file) {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return new SafetensorsStateDict(file, reader);
        }
    }

    @Override public String source() { return file.toString(); }
    @Override public Set<String> keys() { return entries.keySet(); }
    @Override public int[] shape(String key) { return entries.get(key).shape(); }

    @Override public NamedTensor read(String key) {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            return reader.read(key);
        }
    }
}
