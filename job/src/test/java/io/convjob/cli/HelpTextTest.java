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
}
