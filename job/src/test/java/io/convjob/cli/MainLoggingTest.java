package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Commands that start no Spark get the light logging backend; Spark's commands and a user's choice keep theirs. */
class MainLoggingTest {
    @Test
    void commandsWithoutSparkLogLight() {
        for (String command : new String[] {"apply", "generate", "describe", "show", "init", "import-torch"})
            assertTrue(Main.lightLogging(new String[] {command, "--help"}, null), command);
    }

    @Test
    void sparkCommandsAndAUsersChoiceKeepTheirBackend() {
        for (String command : new String[] {"run", "bench", "demo"})
            assertFalse(Main.lightLogging(new String[] {command}, null), command);
        assertFalse(Main.lightLogging(new String[] {"apply"}, "org.apache.logging.slf4j.SLF4JServiceProvider"));
        assertFalse(Main.lightLogging(new String[0], null));
    }
}
