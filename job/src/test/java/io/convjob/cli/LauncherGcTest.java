package io.convjob.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's garbage collector choice, read back from the JVM it starts ({@code -XX:+PrintFlagsFinal}): the serial
 * collector with a 48 MB young generation for the commands that start no Spark, the JVM's own choice for those that
 * do, and the user's own
 * collector or young generation (in {@code CONVJOB_JAVA_OPTS}, {@code JDK_JAVA_OPTIONS} or {@code JAVA_TOOL_OPTIONS})
 * taking the place of the launcher's, since the JVM refuses to start with two collectors. The real {@code ./convjob}
 * script runs in a copy of the project's layout whose "build" is this test's class path, so it builds nothing.
 */
class LauncherGcTest {
    private static final Pattern FLAG = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+=\\s+(\\S+)", Pattern.MULTILINE);
    private static final String YOUNG_48M = Long.toString(48L << 20);

    @TempDir Path home;

    @BeforeEach
    void layOutABuiltProject() throws IOException {
        Path root = Path.of(System.getProperty("convjob.root", "..")).toAbsolutePath();
        Files.copy(root.resolve("convjob"), home.resolve("convjob"));
        Path launcher = Files.createDirectories(home.resolve("job/target/launcher"));
        try (JarOutputStream empty = new JarOutputStream(Files.newOutputStream(home.resolve("job/target/convjob-job-0-test.jar")))) {
            // the launcher puts the job jar first on the class path; the test's class path holds the real classes
        }
        List<String> flags = new ArrayList<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        flags.add("--add-modules=jdk.incubator.vector");
        Files.writeString(launcher.resolve("jvm-flags.txt"), String.join(" ", flags) + "\n");
        Files.writeString(launcher.resolve("classpath.txt"), System.getProperty("java.class.path"));
    }

    @Test
    void commandsWithoutSparkGetTheSerialCollectorAndABoundedYoungGeneration() throws Exception {
        Map<String, String> flags = flags(Map.of(), "apply", "--help");
        assertEquals("true", flags.get("UseSerialGC"));
        assertEquals(YOUNG_48M, flags.get("MaxNewSize"));
        assertEquals("true", flags(Map.of(), "describe", "--help").get("UseSerialGC"));
    }

    @Test
    void sparkCommandsKeepTheJvmsCollector() throws Exception {
        // Spark's Parquet reader holds whole row groups on the heap and local[*] runs many executor threads: the JVM
        // itself makes the choice there, as it would without the launcher
        Map<String, String> jvms = defaultFlags();
        for (String command : List.of("run", "demo", "bench")) {
            Map<String, String> flags = flags(Map.of(), command, "--help");
            for (String gc : List.of("UseSerialGC", "UseG1GC", "UseParallelGC")) {
                assertEquals(jvms.get(gc), flags.get(gc), command + " " + gc);
            }
            assertNotEquals(YOUNG_48M, flags.get("MaxNewSize"), command + " got the small young generation");
        }
    }

    /** The flags this JVM's own ergonomics choose, without the launcher. */
    private static Map<String, String> defaultFlags() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), out);
        return parse(out);
    }

    private static Map<String, String> parse(String printFlagsFinal) {
        Map<String, String> flags = new HashMap<>();
        for (Matcher m = FLAG.matcher(printFlagsFinal); m.find(); ) flags.put(m.group(1), m.group(2));
        return flags;
    }

    @Test
    void theUsersCollectorReplacesTheLaunchersWhereverItIsSet() throws Exception {
        Map<String, String> g1 = flags(Map.of("CONVJOB_JAVA_OPTS", "-Xmx1g -XX:+UseG1GC"), "apply", "--help");
        assertEquals("true", g1.get("UseG1GC"));
        assertEquals("false", g1.get("UseSerialGC"));
        assertTrue(!g1.get("MaxNewSize").equals(YOUNG_48M), "the young generation is left to G1");

        assertEquals("true", flags(Map.of("JDK_JAVA_OPTIONS", "-XX:+UseParallelGC"), "run", "--help").get("UseParallelGC"));
        assertEquals("true", flags(Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseG1GC"), "apply", "--help").get("UseG1GC"));
        // a flag that merely starts like a collector's name is no choice of collector
        assertEquals("true", flags(Map.of("CONVJOB_JAVA_OPTS", "-XX:+UseGCOverheadLimit"), "apply", "--help").get("UseSerialGC"));
    }

    @Test
    void theUsersYoungGenerationReplacesTheLaunchers() throws Exception {
        Map<String, String> flags = flags(Map.of("CONVJOB_JAVA_OPTS", "-Xmn96m"), "apply", "--help");
        assertEquals("true", flags.get("UseSerialGC"));
        assertEquals(Long.toString(96L << 20), flags.get("MaxNewSize"));
        Map<String, String> ratio = flags(Map.of("CONVJOB_JAVA_OPTS", "-XX:NewRatio=5"), "apply", "--help");
        assertEquals("5", ratio.get("NewRatio"));
        assertTrue(!ratio.get("MaxNewSize").equals(YOUNG_48M), "NewRatio would be ignored next to the launcher's -Xmn");
    }

    /** Runs {@code ./convjob ARGS} with {@code env} added and returns the JVM's final flags; it must succeed. */
    private Map<String, String> flags(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", home.resolve("convjob").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        Map<String, String> environment = pb.environment();
        environment.keySet().removeAll(List.of("CONVJOB_JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("CONVJOB_CDS", "off");
        environment.putAll(env);
        String opts = environment.getOrDefault("CONVJOB_JAVA_OPTS", "");
        environment.put("CONVJOB_JAVA_OPTS", (opts + " -XX:+PrintFlagsFinal").trim());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Usage: convjob " + args[0]), out); // the CLI ran, not only the JVM
        Map<String, String> flags = parse(out);
        assertTrue(flags.containsKey("UseSerialGC"), out);
        return flags;
    }
}
