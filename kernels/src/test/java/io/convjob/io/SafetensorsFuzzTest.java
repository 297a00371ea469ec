package io.convjob.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.convjob.error.BadInputProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the {@code .safetensors} reader through a real file: opening validates the header, then every tensor is
 * read (as floats, integers or doubles by its dtype); each step gives a valid result or a bad-input error.
 * Seeds: {@code src/test/resources/io/convjob/io/SafetensorsFuzzTestInputs/safetensors/}.
 */
class SafetensorsFuzzTest {
    private static final Path FILE = scratchFile();

    @FuzzTest(maxDuration = "10s")
    void safetensors(byte[] data) {
        fuzzerTestOneInput(data);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        try {
            Files.write(FILE, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BadInputProperty.check(data, () -> {
            try (SafetensorsReader reader = SafetensorsReader.open(FILE)) {
                for (SafetensorsReader.Entry e : reader.entries()) {
                    long count = NamedTensor.elementCount(e.shape());
                    BadInputProperty.check(data, () -> {
                        SafetensorsDtype dtype = SafetensorsDtype.valueOf(e.dtype());
                        long length = dtype.isInteger() ? reader.readIntegers(e.name()).length
                                : e.dtype().equals("F64") ? reader.readDoubles(e.name()).length
                                : reader.read(e.name()).data().length;
                        if (length != count) throw BadInputProperty.invalid(e + " read " + length + " values");
                    });
                }
            }
        });
    }

    private static Path scratchFile() {
        try {
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            Path file = Files.createTempFile(dir, "fuzz-", ".safetensors");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
