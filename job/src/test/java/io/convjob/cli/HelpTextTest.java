package io.convjob.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command's --help renders cleanly: no picocli format warning, summaries that are whole sentences. */
class HelpTextTest {

    /** The subcommands as the root help lists them (name, then its one-line summary). */
    private static List<String[]> listedCommands(String rootHelp) {
        List<String[]> commands = new ArrayList<>();
        boolean inList = false;
        for (String line : rootHelp.split("\n")) {
            if (line.startsWith("Commands:")) {
                inList = true;
            } else if (inList && line.isBlank()) {
                break;
            } else if (inList && line.matches("  \\S.*")) {
                String[] parts = line.strip().split("\\s+", 2);
                commands.add(new String[] {parts[0], parts.length > 1 ? parts[1] : ""});
            } else if (inList && !commands.isEmpty()) {
                String[] last = commands.get(commands.size() - 1);
                last[1] = last[1] + " " + line.strip();
            }
        }
        return commands;
    }

    @Test
    void everyHelpRendersWithoutWarningsAndSummariesAreSentences() {
        PrintStream original = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
        // picocli reports a description it cannot format on System.err, not on the writers it is given
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
        try {
            CliRun root = CliRun.of("--help");
            assertEquals(0, root.code(), root.err());
            List<String[]> commands = listedCommands(root.out());
            assertTrue(commands.size() >= 9, root.out());
            for (String[] command : commands) {
                assertTrue(command[1].endsWith("."), "summary of " + command[0] + " is cut: '" + command[1] + "'");
                CliRun help = CliRun.of(command[0], "--help");
                assertEquals(0, help.code(), help.err());
                assertTrue(help.out().startsWith("Usage: convjob " + command[0]), help.out());
            }
        } finally {
            System.setErr(original);
        }
        assertEquals("", picocliWarnings.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandPrintsTheVersionAndItsOwnHelpEndsWithTheExitCodes() {
        CliRun root = CliRun.of("--version");
        assertEquals(0, root.code(), root.err());
        assertTrue(root.out().startsWith("convjob "), root.out());
        for (String[] command : listedCommands(CliRun.of("--help").out())) {
            CliRun version = CliRun.of(command[0], "--version");
            assertEquals(0, version.code(), version.err());
            assertEquals(root.out(), version.out(), command[0] + " --version");
            String help = CliRun.of(command[0], "--help").out();
            assertTrue(help.contains("Exit codes:") && help.contains("  2  bad input"), help);
            assertTrue(help.contains(command[1].split("\\s+")[0]), command[0] + "'s own description: " + help);
        }
    }
}
