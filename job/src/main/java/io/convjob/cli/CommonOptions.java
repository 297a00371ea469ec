package io.convjob.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes. */
public final class CommonOptions {
    @Option(names = "--verbose", description = "On failure, print the stack trace too.")
    public boolean verbose;
}
