package io.convjob.init;

import java.nio.file.Path;

/** Where the golden conformance data lives: Surefire's {@code conformance.dir}, else the shared folder. */
final class ConformanceFiles {

    private ConformanceFiles() {}

    static Path dir() {
        String configured = System.getProperty("conformance.dir");
        return configured != null ? Path.of(configured) : Path.of("../../shared/conformance");
    }
}
