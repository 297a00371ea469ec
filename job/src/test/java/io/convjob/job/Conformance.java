package io.convjob.job;

import java.nio.file.Path;

/** Where the golden data lives (Surefire and Failsafe set {@code conformance.dir}). */
public final class Conformance {
    private Conformance() {}

    public static Path dir() {
        return Path.of(System.getProperty("conformance.dir", "../../shared/conformance")).toAbsolutePath().normalize();
    }

    public static Path datasetE2e() {
        return dir().resolve("dataset_e2e");
    }
}
