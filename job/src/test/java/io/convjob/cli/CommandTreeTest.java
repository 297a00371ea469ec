package io.convjob.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command tree holds the named subcommand alone, or every one where the command line names none. */
class CommandTreeTest {
    private static final List<String> ALL =
            List.of("demo", "run", "apply", "init", "describe", "show", "bench", "generate", "import-torch");

    private static List<String> subcommands(String... args) {
        return List.copyOf(ConvjobCommand.commandLine(args).getSubcommands().keySet());
    }

    @Test
    void aNamedSubcommandIsBuiltAlone() {
        assertEquals(List.of("apply"), subcommands("apply", "--spec", "s.json"));
        assertEquals(List.of("import-torch"), subcommands("import-torch"));
    }

    @Test
    void helpOrAnUnknownNameGetsTheWholeTreeInUsageOrder() {
        assertEquals(ALL, subcommands());
        assertEquals(ALL, subcommands("--help"));
        assertEquals(ALL, subcommands("aply"));
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.code(), help.err());
        int at = -1;
        for (String name : ALL) { // listed, in this order
            int next = help.out().indexOf("\n  " + name + " ");
            assertTrue(next > at, name + " in\n" + help.out());
            at = next;
        }
    }

    @Test
    void theSubcommandAloneStillInheritsTheTopCommandsAttributes() {
        CliRun version = CliRun.of("apply", "--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("convjob "), version.out());
        CliRun help = CliRun.of("describe", "--help");
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }

    @Test
    void aMisspelledSubcommandIsAUsageError() {
        CliRun run = CliRun.of("aply");
        assertEquals(2, run.code(), run.err());
        assertEquals(List.of("error: Unmatched argument at index 0: 'aply' (see 'convjob --help')"),
                ApplyCommandTest.errorLines(run));
    }
}
