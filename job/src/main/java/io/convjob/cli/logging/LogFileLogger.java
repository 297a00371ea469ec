package io.convjob.cli.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger that writes the lines at or above its threshold to the command's {@link LogFile}. */
final class LogFileLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient LogFile file;
    private final Level threshold;

    LogFileLogger(String name, Level threshold, LogFile file) {
        this.name = name;
        this.threshold = threshold;
        this.file = file;
    }

    private boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override public boolean isTraceEnabled() { return enabled(Level.TRACE); }
    @Override public boolean isDebugEnabled() { return enabled(Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return enabled(Level.INFO); }
    @Override public boolean isWarnEnabled() { return enabled(Level.WARN); }
    @Override public boolean isErrorEnabled() { return enabled(Level.ERROR); }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
        file.write(level, name, MessageFormatter.basicArrayFormat(pattern, arguments), thrown);
    }
}
