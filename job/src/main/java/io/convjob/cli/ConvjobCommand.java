package io.convjob.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The top command: a list of subcommands; a bare {@code convjob} is a usage error. Its attributes reach the
 * subcommands (scope INHERIT), so {@code convjob apply --version} prints the version and every help ends with the
 * exit codes.
 */
@Command(name = "convjob",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "N-dimensional Conv / ConvTranspose with equinox's semantics, in-process or on Apache Spark.",
        subcommands = {
                DemoCommand.class,
                RunCommand.class,
                ApplyCommand.class,
                InitCommand.class,
                DescribeCommand.class,
                ShowCommand.class,
                BenchCommand.class,
                GenerateCommand.class,
                ImportTorchCommand.class,
        },
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  internal failure (a bug: please report it with --verbose output)",
                "  2  bad input: spec, weights, tensor file, shape, arguments, a path that",
                "     cannot be read or written, sizes or memory beyond the resource plan's",
                "     limits (one line on stderr)",
                "Spark's log (warnings, failed tasks' traces): logs/convjob.log, or $CONVJOB_LOG."})
public final class ConvjobCommand {
}
