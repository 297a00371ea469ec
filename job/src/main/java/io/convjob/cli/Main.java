package io.convjob.cli;

import io.convjob.cli.logging.LogFileProvider;
import java.io.PrintWriter;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./convjob} and {@code spark-submit --class io.convjob.cli.Main}: exits with the command's code. */
public final class Main {
    /** The system property naming Spark's log file (set by {@code ./convjob}, read by {@code conf/log4j2.properties}). */
    public static final String LOG_PROPERTY = LogFileProvider.LOG_FILE_PROPERTY;
    /** SLF4J's property naming its backend. */
    static final String SLF4J_PROVIDER_PROPERTY = "slf4j.provider";
    /** SLF4J's own messages' level: at its default it announces on stderr a backend named by the property. */
    static final String SLF4J_VERBOSITY_PROPERTY = "slf4j.internal.verbosity";
    /** The commands that start Spark: they log through Log4j, whose configuration Spark adjusts. */
    private static final Set<String> SPARK_COMMANDS = Stream.of(DemoCommand.class, RunCommand.class, BenchCommand.class)
            .map(c -> c.getAnnotation(Command.class).name()).collect(Collectors.toUnmodifiableSet());

    private Main() {}

    public static void main(String[] args) {
        // Spark's progress bar writes to System.err too: the error line must know whether it left a line open
        LineTrackingStream stderr = new LineTrackingStream(new java.io.FileOutputStream(java.io.FileDescriptor.err));
        System.setErr(stderr);
        // before anything asks SLF4J for a logger: it picks its backend once
        if (lightLogging(args, System.getProperty(SLF4J_PROVIDER_PROPERTY))) System.setProperty(SLF4J_PROVIDER_PROPERTY, LogFileProvider.class.getName());
        if (System.getProperty(SLF4J_VERBOSITY_PROPERTY) == null) System.setProperty(SLF4J_VERBOSITY_PROPERTY, "WARN");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(stderr, true), stderr::atLineStart));
    }

    /**
     * Whether a command line gets the light logging backend ({@link LogFileProvider}): when it starts no Spark and the
     * user chose no backend ({@code userChoice}, from {@code -Dslf4j.provider=...}).
     */
    static boolean lightLogging(String[] args, String userChoice) {
        return userChoice == null && args.length > 0 && !SPARK_COMMANDS.contains(args[0]);
    }

    /** Runs one command line with the given streams; returns the exit code (0 ok, 1 internal, 2 bad input). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, out, err, () -> true);
    }

    /** As {@link #execute(String[], PrintWriter, PrintWriter)}; {@code errAtLineStart} tells whether stderr's last line is open. */
    static int execute(String[] args, PrintWriter out, PrintWriter err, java.util.function.BooleanSupplier errAtLineStart) {
        ErrorReporter reporter = new ErrorReporter(System.getProperty(LOG_PROPERTY), errAtLineStart);
        CommandLine cli = newCommandLine(reporter);
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


    private static CommandLine newCommandLine(ErrorReporter reporter) {
        CommandLine cli = new CommandLine(new ConvjobCommand());
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        cli.setExecutionExceptionHandler(reporter);
        cli.setParameterExceptionHandler(reporter);
        return cli;
    }
}
