package io.convjob.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** {@code ./convjob} and {@code spark-submit --class io.convjob.cli.Main}: exits with the command's code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams; returns the exit code (0 ok, 1 internal, 2 bad input). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = newCommandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new ConvjobCommand());
        cli.setExitCodeExceptionMapper(ExitCodes::of);
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler(new ErrorReporter());
        return cli;
    }
}
