package io.convjob.cli.logging;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.event.Level;

/**
 * The log file of a command that starts no Spark: lines as {@code conf/log4j2.properties} writes them
 * ({@code 2026-11-29 23:40:01 WARN BaseAllocator: message}, then the stack trace), appended, the file created on the
 * first line only (so a command that logs nothing leaves no file behind).
 */
final class LogFile {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Path path;
    private Writer writer; // opened on the first line

    LogFile(Path path) {
        this.path = path;
    }

    synchronized void write(Level level, String loggerName, String message, Throwable thrown) {
        StringWriter line = new StringWriter();
        line.append(TIME.format(LocalDateTime.now())).append(' ').append(level.name()).append(' ')
                .append(loggerName.substring(loggerName.lastIndexOf('.') + 1)).append(": ").append(message)
                .append(System.lineSeparator());
        if (thrown != null) thrown.printStackTrace(new PrintWriter(line));
        try {
            if (writer == null) {
                Path parent = path.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            writer.write(line.toString());
            writer.flush(); // the JVM may exit at any moment after a line: none may stay in a buffer
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log file " + path, e);
        }
    }
}
