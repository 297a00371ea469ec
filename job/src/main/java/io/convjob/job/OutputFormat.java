package io.convjob.job;

import java.util.Locale;

/** How the job writes its output. */
public enum OutputFormat {
    /** Arrow IPC tensor files through the {@code arrow-tensor} data source. */
    ARROW,
    /**
     * Parquet through the {@code parquet-tensor} data source: the tensor as {@code array<float>}, its shape in the
     * {@code ARROW:schema} footer entry as pyarrow writes it; optionally a Spark ML vector column.
     */
    PARQUET;

    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
