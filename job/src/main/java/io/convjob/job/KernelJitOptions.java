package io.convjob.job;

import io.convjob.error.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JIT options {@value #FILE} gives the JVMs that run the kernels (that file says why): {@code ./convjob} adds them
 * to its own JVM, and a run it starts against a cluster gives them to the executors.
 */
public record KernelJitOptions(List<String> options) {
    /** Relative to the convjob checkout ({@code convjob.home}). */
    public static final String FILE = "conf/kernel-jit.options";
    /** Prepended by Spark to {@code spark.executor.extraJavaOptions}; meant for defaults like these. */
    static final String EXECUTOR_DEFAULTS = "spark.executor.defaultJavaOptions";

    public KernelJitOptions {
        options = List.copyOf(options);
    }

    /** One option a line; blank lines and lines starting with '#' are left out. */
    public static KernelJitOptions read(Path file) {
        try {
            return new KernelJitOptions(Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the kernels' JIT options (" + e.getMessage() + ")");
        }
    }

    /** The options as one JVM option string. */
    public String joined() {
        return String.join(" ", options);
    }
}
