package io.convjob.cli;

import io.convjob.cli.logging.LogFileProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * The system properties a {@code convjob} process sets before picocli and SLF4J start (each reads its own once), each
 * only where the user set none:
 * <ul>
 *   <li>{@code picocli.disable.closures=true}: convjob's annotations hold no Groovy closures, and picocli's look-up
 *       of Groovy's class is a class-path miss that opens every one of the ~200 jars (about a third of a second of
 *       every command on the development VM);</li>
 *   <li>{@code slf4j.provider}: {@link LogFileProvider} for the commands that start no Spark (Log4j's start costs a
 *       fraction of a CPU-second; Spark's commands keep Log4j, whose configuration Spark adjusts);</li>
 *   <li>{@code slf4j.internal.verbosity=WARN}: SLF4J otherwise announces a provider named by the property on stderr;</li>
 *   <li>{@code arrow.allocation.manager.type=Netty}: the only Arrow allocator on convjob's class path, which Arrow
 *       otherwise finds with a resource scan of every jar (unless {@code ARROW_ALLOCATION_MANAGER_TYPE} names one).</li>
 * </ul>
 * Each of the three class-path scans costs a third to two thirds of a second at start-up on the development VM; the
 * first one pays for opening the jars, so all must go for any to count.
 */
final class StartupProperties {
    static final String PICOCLI_CLOSURES = "picocli.disable.closures";
    static final String SLF4J_PROVIDER = "slf4j.provider";
    static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";
    static final String ARROW_ALLOCATOR = "arrow.allocation.manager.type";
    static final String ARROW_ALLOCATOR_ENV = "ARROW_ALLOCATION_MANAGER_TYPE";

    /** The commands that start Spark. */
    private static final Set<String> SPARK_COMMANDS = Stream.of(DemoCommand.class, RunCommand.class, BenchCommand.class)
            .map(c -> c.getAnnotation(Command.class).name()).collect(Collectors.toUnmodifiableSet());

    private StartupProperties() {}

    /** Sets the properties for this command line in this process. */
    static void set(String[] args) {
        for (Map.Entry<String, String> p : forCommandLine(args, System.getProperties(), System.getenv()).entrySet())
            System.setProperty(p.getKey(), p.getValue());
    }

    /** The properties to set for a command line, given the ones already set and the environment. */
    static Map<String, String> forCommandLine(String[] args, Properties current, Map<String, String> env) {
        Map<String, String> chosen = new LinkedHashMap<>();
        chosen.put(PICOCLI_CLOSURES, "true");
        if (args.length > 0 && !SPARK_COMMANDS.contains(args[0])) chosen.put(SLF4J_PROVIDER, LogFileProvider.class.getName());
        chosen.put(SLF4J_VERBOSITY, "WARN");
        if (!env.containsKey(ARROW_ALLOCATOR_ENV)) chosen.put(ARROW_ALLOCATOR, "Netty");
        chosen.keySet().removeIf(current::containsKey);
        return chosen;
    }
}
