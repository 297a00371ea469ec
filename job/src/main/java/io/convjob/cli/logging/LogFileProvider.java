package io.convjob.cli.logging;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's backend for the commands that start no Spark ({@code apply}, {@code generate}, ...): the same lines, levels
 * and file as {@code conf/log4j2.properties} gives (warnings and errors of every library, information of convjob's
 * own code, into the file named by the {@code convjob.log} property), without starting Log4j, whose plugin and
 * configuration loading costs a fraction of a CPU-second. Commands that start Spark keep Log4j, whose configuration
 * Spark adjusts. {@code StartupProperties} names this class in SLF4J's {@code slf4j.provider} property unless the
 * user named another.
 */
public final class LogFileProvider implements SLF4JServiceProvider {
    /** The property that names the log file, as {@code conf/log4j2.properties} reads it. */
    public static final String LOG_FILE_PROPERTY = "convjob.log";

    private final Path path;
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private ILoggerFactory loggers;

    /** As SLF4J makes it: the file named by {@code convjob.log} (set by {@code ./convjob}), else convjob.log here. */
    public LogFileProvider() {
        this(Path.of(System.getProperty(LOG_FILE_PROPERTY, "convjob.log")));
    }

    LogFileProvider(Path path) {
        this.path = path;
    }

    @Override
    public void initialize() {
        LogFile file = new LogFile(path);
        Map<String, LogFileLogger> made = new ConcurrentHashMap<>();
        loggers = name -> made.computeIfAbsent(name, n -> new LogFileLogger(n, thresholdOf(n), file));
    }

    /** {@code conf/log4j2.properties}' levels: information from convjob's code, warnings from everything else. */
    static Level thresholdOf(String loggerName) {
        return loggerName.equals("io.convjob") || loggerName.startsWith("io.convjob.") ? Level.INFO : Level.WARN;
    }

    @Override public ILoggerFactory getLoggerFactory() { return loggers; }
    @Override public IMarkerFactory getMarkerFactory() { return markers; }
    @Override public MDCAdapter getMDCAdapter() { return mdc; }
    @Override public String getRequestedApiVersion() { return "2.0.99"; }
}
