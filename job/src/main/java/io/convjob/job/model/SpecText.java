package io.convjob.job.model;

import io.convjob.error.InputException;
import io.convjob.spec.ModelSpec;
import io.convjob.spec.SpecParser;
import io.convjob.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Spec JSON in, {@link ModelSpec} out: the one place the job touches the parser. */
public final class SpecText {
    private SpecText() {}

    public static ModelSpec parse(String json) {
        return SpecParser.parse(json);
    }

    /** The text of a spec file on any storage (local, hdfs://, s3a://, ...). */
    public static String read(Storage storage, String file) {
        org.apache.hadoop.fs.Path path = storage.path("--spec", file);
        Path local = storage.plainLocalFile(path); // read without starting Hadoop's file system
        try (java.io.InputStream in = local != null ? Files.newInputStream(local) : storage.open(path)) {
            byte[] bytes = in.readNBytes(SpecParser.MAX_SPEC_CHARS + 1); // bounded: /dev/zero is a file too
            if (bytes.length > SpecParser.MAX_SPEC_CHARS) throw SpecParser.tooLarge("--spec " + file);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw io.convjob.storage.StorageErrors.of("--spec " + file, e);
        } catch (InputException e) {
            throw new InputException(e.getMessage().startsWith("--spec") ? e.getMessage()
                    : "--spec " + e.getMessage(), e);
        }
    }

    /** The text of a local spec file. */
    public static String read(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(SpecParser.MAX_SPEC_CHARS + 1);
            if (bytes.length > SpecParser.MAX_SPEC_CHARS) throw SpecParser.tooLarge(file.toString());
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read spec: " + e.getMessage(), e);
        }
    }
}
