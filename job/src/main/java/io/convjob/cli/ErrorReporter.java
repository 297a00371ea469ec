package io.convjob.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Prints one line {@code error: ...} for a failed command (the stack trace too with {@code --verbose}) and
 * returns its exit code; argument errors add a pointer to {@code --help} on the same line.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose");
        err.println("error: " + oneLine(ExitCodes.message(e)));
        if (verbose || !ExitCodes.isBadInput(e)) {
            if (verbose) e.printStackTrace(err);
            else err.println("(internal failure; run again with --verbose for the stack trace)");
        }
        err.flush();
        return ExitCodes.of(e);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("error: " + oneLine(e.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        cmd.getErr().flush();
        return ExitCodes.BAD_INPUT;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
