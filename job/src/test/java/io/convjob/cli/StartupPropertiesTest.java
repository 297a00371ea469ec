package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.convjob.cli.logging.LogFileProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Commands that start no Spark get the light logging backend; Spark's commands and the user's own settings keep theirs. */
class StartupPropertiesTest {
    private static final Properties NONE = new Properties();
    /** What every command line gets when the user set nothing. */
    private static final Map<String, String> EVERY_COMMAND = Map.of("picocli.disable.closures", "true",
            "slf4j.internal.verbosity", "WARN", "arrow.allocation.manager.type", "Netty");

    private static Map<String, String> plus(String key, String value) {
        Map<String, String> all = new HashMap<>(EVERY_COMMAND);
        all.put(key, value);
        return all;
    }

    @Test
    void commandsWithoutSparkLogLight() {
        for (String command : new String[] {"apply", "generate", "describe", "show", "init", "import-torch"})
            assertEquals(plus("slf4j.provider", LogFileProvider.class.getName()),
                    StartupProperties.forCommandLine(new String[] {command, "--help"}, NONE, Map.of()), command);
    }

    @Test
    void sparkCommandsKeepLog4j() {
        for (String command : new String[] {"run", "bench", "demo"})
            assertEquals(EVERY_COMMAND, StartupProperties.forCommandLine(new String[] {command}, NONE, Map.of()), command);
        assertEquals(EVERY_COMMAND, StartupProperties.forCommandLine(new String[0], NONE, Map.of()));
    }

    @Test
    void theUsersOwnSettingsStay() {
        Properties user = new Properties();
        user.setProperty("slf4j.provider", "org.apache.logging.slf4j.SLF4JServiceProvider");
        user.setProperty("slf4j.internal.verbosity", "DEBUG");
        user.setProperty("picocli.disable.closures", "false");
        user.setProperty("arrow.allocation.manager.type", "Unsafe");
        assertEquals(Map.of(), StartupProperties.forCommandLine(new String[] {"apply"}, user, Map.of()));

        Map<String, String> everyButArrow = new HashMap<>(EVERY_COMMAND);
        everyButArrow.remove("arrow.allocation.manager.type");
        assertEquals(everyButArrow, StartupProperties.forCommandLine(new String[] {"run"}, NONE, Map.of("ARROW_ALLOCATION_MANAGER_TYPE", "Unsafe")));
    }
}
