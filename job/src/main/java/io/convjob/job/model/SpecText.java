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
        try {
            return storage.readString(storage.path("--spec", file));
        } catch (InputException e) {
            throw new InputException(e.getMessage().startsWith("--spec") ? e.getMessage()
                    : "--spec " + e.getMessage(), e);
        }
    }

    /** The text of a local spec file. */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read spec: " + e.getMessage(), e);
        }
    }
}
