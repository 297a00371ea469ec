package io.convjob.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** The light backend writes what {@code conf/log4j2.properties} would: same levels, same line form, same file. */
class LogFileProviderTest {
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ";

    @TempDir Path dir;

    private ILoggerFactory loggersWritingTo(Path file) {
        LogFileProvider provider = new LogFileProvider(file);
        provider.initialize();
        return provider.getLoggerFactory();
    }

    @Test
    void writesWarningsOfLibrariesAndInformationOfConvjobOnly() throws Exception {
        Path file = dir.resolve("logs/convjob.log");
        ILoggerFactory loggers = loggersWritingTo(file);
        Logger arrow = loggers.getLogger("org.apache.arrow.memory.BaseAllocator");
        Logger ours = loggers.getLogger("io.convjob.job.TensorFileJob");

        arrow.info("allocator closed");
        arrow.debug("buffer {} released", 3);
        ours.debug("not at this level");
        assertFalse(Files.exists(file), "nothing at a logged level yet: no file");

        arrow.warn("memory leaked: {} bytes in {} buffers", 64, 2);
        ours.info("wrote {}", "part-00000.arrow");
        ours.trace("not at this level");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches(TIME + "WARN BaseAllocator: memory leaked: 64 bytes in 2 buffers"), lines.get(0));
        assertTrue(lines.get(1).matches(TIME + "INFO TensorFileJob: wrote part-00000\\.arrow"), lines.get(1));
        assertTrue(arrow.isWarnEnabled() && !arrow.isInfoEnabled() && ours.isInfoEnabled() && !ours.isDebugEnabled());
    }

    @Test
    void appendsWithTheStackTraceOfAnError() throws Exception {
        Path file = dir.resolve("convjob.log");
        Files.writeString(file, "an earlier command's line\n");
        Logger hadoop = loggersWritingTo(file).getLogger("org.apache.hadoop.fs.FileSystem");

        hadoop.error("cannot close {}", "hdfs://nn/x", new IllegalStateException("boom"));
        List<String> lines = Files.readAllLines(file);
        assertEquals("an earlier command's line", lines.get(0));
        assertTrue(lines.get(1).matches(TIME + "ERROR FileSystem: cannot close hdfs://nn/x"), lines.get(1));
        assertEquals("java.lang.IllegalStateException: boom", lines.get(2));
        assertTrue(lines.get(3).startsWith("\tat io.convjob.cli.logging.LogFileProviderTest."), lines.get(3));
    }

    @Test
    void theLevelsAreConvjobsConfiguration() {
        assertEquals(org.slf4j.event.Level.INFO, LogFileProvider.thresholdOf("io.convjob"));
        assertEquals(org.slf4j.event.Level.INFO, LogFileProvider.thresholdOf("io.convjob.arrow.TensorFileWriter"));
        assertEquals(org.slf4j.event.Level.WARN, LogFileProvider.thresholdOf("io.convjobs.Other"));
        assertEquals(org.slf4j.event.Level.WARN, LogFileProvider.thresholdOf("org.apache.arrow.memory.RootAllocator"));
    }
}
