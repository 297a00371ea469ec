package io.convjob.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on 127.0.0.1 from Maven jars alone: a SPARK_HOME whose {@code jars/} links every
 * Spark-side jar of the launcher classpath, a Master and workers as separate JVMs. {@link #close()} kills them
 * (and the executors they started); a shutdown hook does the same if the test JVM dies first.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final Path home;
    private final List<String> jvmFlags;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-kill");
    private final int masterPort;

    /**
     * @param classpath the jars of Spark and its dependencies (our own modules are left out: the app jar brings them)
     */
    StandaloneCluster(Path dir, List<Path> classpath, List<String> jvmFlags) {
        this.home = dir.resolve("spark-home");
        this.jvmFlags = List.copyOf(jvmFlags);
        this.masterPort = freePort();
        linkJars(classpath);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    String masterUrl() {
        return "spark://" + HOST + ":" + masterPort;
    }

    Path home() {
        return home;
    }

    /** Starts the Master, waits until it listens, then starts {@code workers} workers of 1 core and 1g each. */
    void start(int workers) {
        processes.add(launch("master", "org.apache.spark.deploy.master.Master", "--host", HOST, "--port",
                String.valueOf(masterPort), "--webui-port", String.valueOf(freePort())));
        awaitListening(masterPort, 60);
        for (int i = 0; i < workers; i++) {
            Path work = home.resolve("work-" + i);
            processes.add(launch("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", HOST, "--cores", "1",
                    "--memory", "1g", "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(), masterUrl()));
        }
    }

    /** The last lines of every process log, for a failure message. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(home)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                sb.append("== ").append(log.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> sb.append(l).append('\n'));
            }
        } catch (IOException e) {
            sb.append("(cannot read logs: ").append(e.getMessage()).append(")");
        }
        return sb.toString();
    }

    private void linkJars(List<Path> classpath) {
        try {
            Path jars = Files.createDirectories(home.resolve("jars"));
            Files.writeString(home.resolve("RELEASE"), "convjob test cluster\n"); // tells Spark's launcher to use jars/
            for (Path jar : classpath) {
                Path link = jars.resolve(jar.getFileName());
                if (!Files.exists(link)) Files.createSymbolicLink(link, jar.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process launch(String name, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-Xmx512m", "-cp", home.resolve("jars") + "/*", mainClass));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.environment().put("SPARK_LOCAL_IP", HOST);
        builder.environment().put("SPARK_LOG_DIR", home.toString());
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitListening(int port, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 500);
                return;
            } catch (IOException e) {
                sleep(200);
            }
        }
        throw new IllegalStateException("master did not listen on " + HOST + ":" + port + " within " + seconds + " s");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Workers first (they stop their executors), then the master; descendants too, forcibly if they linger. */
    private void killAll() {
        List<Process> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        for (Process p : reversed) {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        processes.clear();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }
}
