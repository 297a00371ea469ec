package io.convjob.cli;

import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The top command: a list of subcommands; a bare {@code convjob} is a usage error. Its attributes reach the
 * subcommands (scope INHERIT), so {@code convjob apply --version} prints the version and every help ends with the
 * exit codes. The subcommands are added by {@link #commandLine}, only the one a command line names.
 */
@Command(name = "convjob",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "N-dimensional Conv / ConvTranspose with equinox's semantics, in-process or on Apache Spark.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  internal failure (a bug: please report it with --verbose output)",
                "  2  bad input: spec, weights, tensor file, shape, arguments, a path that",
                "     cannot be read or written, sizes or memory beyond the resource plan's",
                "     limits (one line on stderr)",
                "Spark's log (warnings, failed tasks' traces): logs/convjob.log, or $CONVJOB_LOG."})
public final class ConvjobCommand {
    /** The subcommands by name, in the order the usage lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = orderedSubcommands();

    private static Map<String, Supplier<Object>> orderedSubcommands() {
        var m = new java.util.LinkedHashMap<String, Supplier<Object>>();
        m.put("demo", DemoCommand::new);
        m.put("run", RunCommand::new);
        m.put("apply", ApplyCommand::new);
        m.put("init", InitCommand::new);
        m.put("describe", DescribeCommand::new);
        m.put("show", ShowCommand::new);
        m.put("bench", BenchCommand::new);
        m.put("generate", GenerateCommand::new);
        m.put("import-torch", ImportTorchCommand::new);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The command tree for {@code args}: when they start with a subcommand's name, the top command with that
     * subcommand alone, else (help, a usage error) with all of them. picocli builds a command's model from its
     * annotations by reflection, about 0.4 s of the main thread for the whole tree in a fresh JVM against 0.25 s for
     * one command, and its classes are too old a class-file version for JDK 17's class-data archive.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new ConvjobCommand());
        Supplier<Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        if (named != null) {
            cli.addSubcommand(args[0], named.get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cli.addSubcommand(name, command.get()));
        }
        return cli;
    }
}
