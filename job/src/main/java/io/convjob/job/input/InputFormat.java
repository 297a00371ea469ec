package io.convjob.job.input;

import java.util.Locale;

/** How the job's input is stored. */
public enum InputFormat {
    /** Arrow IPC tensor files, read by the {@code arrow-tensor} data source. */
    ARROW,
    /** Parquet with the tensor as a list of float, shape from pyarrow's {@code ARROW:schema} or {@code --shape}. */
    PARQUET,
    /** Image files (PNG, JPEG, ...), decoded and preprocessed on the executors as the spec's {@code preprocess} says. */
    IMAGE;

    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
