package io.convjob.job.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real S3-compatible server on 127.0.0.1 (s3proxy, in-memory store, AWS v2/v4 signatures checked) as a JVM of its
 * own on an ephemeral port; {@link #hadoopSettings()} are what S3A needs to reach it (path-style, plain HTTP).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "convjob-test-access";
    public static final String SECRET_KEY = "convjob-test-secret";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector@\\S+\\{HTTP/1.1, \\(http/1.1\\)\\}\\{127\\.0\\.0\\.1:(\\d+)\\}");

    private final Process process;
    private final Path log;
    private final int port;

    public S3Server(Path dir) {
        Path jar = Path.of(System.getProperty("convjob.s3proxyJar", "target/s3proxy/s3proxy.jar"));
        if (!Files.exists(jar)) throw new IllegalStateException("s3proxy jar missing (mvn generate-test-resources copies it): " + jar);
        try {
            Files.createDirectories(dir);
            Path properties = dir.resolve("s3proxy.conf");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:0",
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=transient", // in memory (the nio2 variants fail S3A's server-side copy)
                    "jclouds.identity=" + ACCESS_KEY,
                    "jclouds.credential=" + SECRET_KEY, ""));
            log = dir.resolve("s3proxy.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx" + System.getProperty("convjob.s3proxyHeap", "256m"), "-jar", jar.toString(), "--properties", properties.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            port = awaitPort(60);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int awaitPort(int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Matcher m = STARTED.matcher(Files.readString(log));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!process.isAlive()) break;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("s3proxy did not start within " + seconds + " s:\n" + Files.readString(log));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The Hadoop settings for S3A to reach this server (the tests' only place for credentials). */
    public Map<String, String> hadoopSettings() {
        return Map.ofEntries(
                Map.entry("fs.s3a.endpoint", endpoint()),
                Map.entry("fs.s3a.endpoint.region", "us-east-1"),
                Map.entry("fs.s3a.path.style.access", "true"),
                Map.entry("fs.s3a.connection.ssl.enabled", "false"),
                Map.entry("fs.s3a.access.key", ACCESS_KEY),
                Map.entry("fs.s3a.secret.key", SECRET_KEY),
                Map.entry("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"),
                Map.entry("fs.s3a.attempts.maximum", "1"),
                Map.entry("fs.s3a.retry.limit", "1"),
                // s3proxy does not take the checksum headers that the SDK puts on bulk deletes: delete one by one
                Map.entry("fs.s3a.multiobjectdelete.enable", "false"));
    }

    /** Creates a bucket (S3A does not create buckets). */
    public void createBucket(String bucket) {
        try (var s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(java.net.URI.create(endpoint()))
                .forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** The same as {@code --conf spark.hadoop.*=...} arguments. */
    public List<String> confArguments() {
        return hadoopSettings().entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of("--conf", "spark.hadoop." + e.getKey() + "=" + e.getValue())).toList();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
