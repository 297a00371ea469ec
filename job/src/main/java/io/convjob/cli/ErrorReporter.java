package io.convjob.cli;

import io.convjob.plan.ResourcePlan;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The one error path: every failure of every command is one line {@code error: ...} (the stack trace too with
 * {@code --verbose}) and its exit code ({@link ExitCodes}); argument errors add a pointer to {@code --help}; a failed
 * Spark task adds where Spark's log (with the task's trace) is; an {@link OutOfMemoryError} is reported with the
 * command's memory plan and the fix.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    private final String logFile;

    private final java.util.function.BooleanSupplier errAtLineStart;

    /** @param logFile where Spark's log goes (the launcher sets {@code -Dconvjob.log}), or null if unknown */
    ErrorReporter(String logFile) {
        this(logFile, () -> true);
    }

    /** @param errAtLineStart whether the error stream's last line is closed (else the error line starts a new one) */
    ErrorReporter(String logFile, java.util.function.BooleanSupplier errAtLineStart) {
        this.logFile = logFile;
        this.errAtLineStart = errAtLineStart;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(e, cmd, verbose(parsed));
    }

    /** Reports {@code t} (an exception or an error such as {@link OutOfMemoryError}) for the command that ran. */
    int report(Throwable t, CommandLine cmd, boolean verbose) {
        PrintWriter err = cmd.getErr();
        err.flush();
        if (!errAtLineStart.getAsBoolean()) err.println(); // e.g. after Spark's progress bar: the error on a line of its own
        err.println("error: " + oneLine(OutputLocation.withTargets(message(t, cmd))));
        boolean badInput = ExitCodes.isBadInput(t);
        if (verbose) t.printStackTrace(err);
        else if (!badInput) err.println("(internal failure; run again with --verbose for the stack trace)");
        err.flush();
        return ExitCodes.of(t);
    }

    private String message(Throwable t, CommandLine cmd) {
        OutOfMemoryError oom = find(t, OutOfMemoryError.class);
        if (oom != null) {
            ResourcePlan plan = cmd.getCommand() instanceof Planned p ? p.plan() : null;
            return "out of memory (" + oom.getMessage() + ")" + (plan == null ? ""
                    : ": planned " + plan.estimate() + ", about " + ResourcePlan.bytes(plan.totalBytes()) + " of "
                    + plan.budget().name()) + "; lower --batch-size or raise "
                    + (plan == null ? "-Xmx (e.g. CONVJOB_JAVA_OPTS=-Xmx4g)" : plan.budget().raise());
        }
        String m = ExitCodes.message(t);
        if (isSparkFailure(t) && !ExitCodes.isBadInput(t)) {
            m += logFile == null ? " (the task's trace is in the Spark driver's log)" : " (Spark's log, with the task's trace: " + logFile + ")";
        }
        return m;
    }

    private static boolean isSparkFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals("org.apache.spark.SparkException")) return true;
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }

    /** {@code --verbose} given to the command or any of its parents. */
    static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) return true;
        }
        return false;
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
