package io.convjob.cli;

import io.convjob.concurrent.Threads;

/**
 * Starts the logging (SLF4J and its backend: convjob's {@code LogFileProvider} as {@code StartupProperties} names it,
 * or Log4j 2 when the user names that) on a background thread, for a command that will need it anyway (Arrow's
 * allocator logs through SLF4J). With Log4j that start is about a second of CPU on 2 cores (Log4j loads its plugins
 * and configuration); run on the otherwise idle core, it overlaps the argument parsing and the model's set-up instead
 * of following them. {@link #close} waits for it, so the JVM never exits with Log4j half-started (which would report
 * an error of its own on the terminal).
 */
final class LoggingStart implements AutoCloseable {
    private final Thread thread;

    private LoggingStart(Thread thread) {
        this.thread = thread;
    }

    static LoggingStart begin() {
        Thread t = new Thread(() -> {
            try {
                org.slf4j.LoggerFactory.getLogger(LoggingStart.class); // binds the provider, configures Log4j
            } catch (RuntimeException | LinkageError e) {
                // the first logger the command itself asks for meets the same problem and reports it
            }
        }, "convjob-logging-start");
        t.setDaemon(true);
        t.start();
        return new LoggingStart(t);
    }

    /** Waits until the logging has started. */
    @Override
    public void close() {
        Threads.joinUninterruptibly(thread);
    }
}
