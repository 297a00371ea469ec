package io.convjob.cli;

import io.convjob.cli.logging.LogFileProvider;
import java.io.PrintWriter;
import picocli.CommandLine;

/** {@code ./convjob} and {@code spark-submit --class io.convjob.cli.Main}: exits with the command's code. */
public final class Main {
    /** The system property naming Spark's log file (set by {@code ./convjob}, read by {@code conf/log4j2.properties}). */
    public static final String LOG_PROPERTY = LogFileProvider.LOG_FILE_PROPERTY;

    private Main() {}

    public static void main(String[] args) {
        // Spark's progress bar writes to System.err too: the error line must know whether it left a line open
        LineTrackingStream stderr = new LineTrackingStream(new java.io.FileOutputStream(java.io.FileDescriptor.err));
        System.setErr(stderr);
        StartupProperties.set(args);
        ClassPathOpening.begin();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(stderr, true), stderr::atLineStart));
    }

    /** Runs one command line with the given streams; returns the exit code (0 ok, 1 internal, 2 bad input). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, () -> true);
    }

    /** As {@link #execute(String[], PrintWriter, PrintWriter)}; {@code errAtLineStart} tells whether stderr's last line is open. */
    static int execute(String[] args, PrintWriter out, PrintWriter err, java.util.function.BooleanSupplier errAtLineStart) {
        ErrorReporter reporter = new ErrorReporter(System.getProperty(LOG_PROPERTY), errAtLineStart);
        CommandLine cli = newCommandLine(args, reporter);
        cli.setOut(out);
        cli.setErr(err);
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) { // picocli passes Errors through: one line all the same
            CommandLine.ParseResult parsed = cli.getParseResult();
            CommandLine ran = cli;
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) ran = p.commandSpec().commandLine();
            ran.setErr(err);
            return reporter.report(e, ran, parsed != null && ErrorReporter.verbose(parsed));
        }
    }


    private static CommandLine newCommandLine(String[] args, ErrorReporter reporter) {
        CommandLine cli = ConvjobCommand.commandLine(args);
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        cli.setExecutionExceptionHandler(reporter);
        cli.setParameterExceptionHandler(reporter);
        return cli;
    }
}
