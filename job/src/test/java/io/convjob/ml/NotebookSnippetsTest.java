package io.convjob.ml;

import io.convjob.Model;
import io.convjob.job.SparkTestBase;
import io.convjob.job.frame.FrameBenchmark;
import io.convjob.spark.TensorSchemas;
import io.convjob.spec.SpecParser;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The README's notebook snippets (section "DataFrame API"): the Java one compiled and run as written, read from the
 * README so it cannot drift (only its paths are swapped for temporary directories); the Scala and PySpark ones through
 * the JVM calls they make.
 */
class NotebookSnippetsTest extends SparkTestBase {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent(); // tests run in job/
    private static final int[] SHAPE = {3, 16, 16};
    private static final int[] FEATURES = {64, 4, 4}; // conf/specs/feature-stack.json on (3, 16, 16)
    private static final int ROWS = 24;

    @Test
    void theJavaSnippetRunsAsWritten(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        FrameBenchmark.generate(in, SHAPE, ROWS, 2);
        Map<String, String> paths = Map.of("\"/data/in\"", quoted(in), "\"/data/features\"", quoted(tmp.resolve("features")),
                "\"/models/features\"", quoted(tmp.resolve("model")), "\"/data/out\"", quoted(tmp.resolve("out")),
                "\"conf/specs/feature-stack.json\"", quoted(ROOT.resolve("conf/specs/feature-stack.json")));
        Runnable snippet = compile(readmeBlock("java"), paths, tmp.resolve("classes"));
        snippet.run();

        Dataset<Row> features = spark().read().format("arrow-tensor").load(tmp.resolve("features").toString());
        assertEquals(ROWS, features.count());
        assertArrayEquals(FEATURES, TensorSchemas.shapeOf(features.schema().apply("tensor")));
        PipelineModel saved = PipelineModel.load(tmp.resolve("model").toString());
        assertEquals(ConvTransformer.class, saved.stages()[0].getClass());
        Dataset<Row> out = spark().read().format("arrow-tensor").option("column", "features").load(tmp.resolve("out").toString());
        assertArrayEquals(FEATURES, TensorSchemas.shapeOf(out.schema().apply("features")));
        assertMatchesModel(out.orderBy("id"), "features");

        // run again: the default save mode refuses the existing output, as it would for parquet
        Exception again = assertThrows(Exception.class, snippet::run);
        assertEquals("arrow-tensor: path " + tmp.resolve("features") + " already exists (save mode errorifexists,"
                + " Spark's default); use mode(\"overwrite\") or mode(\"append\")", again.getMessage());
    }

    /** What the Scala and PySpark snippets do, call for call (PySpark makes the object with its own uid). */
    @Test
    void theScalaAndPySparkCallsWork(@TempDir Path tmp) throws IOException {
        Path in = tmp.resolve("in");
        FrameBenchmark.generate(in, SHAPE, ROWS, 2);
        String spec = Files.readString(ROOT.resolve("conf/specs/feature-stack.json"));
        Dataset<Row> df = spark().read().format("arrow-tensor").load(in.toString());

        ConvTransformer conv = new ConvTransformer("ConvTransformer_" + UUID.randomUUID()).setSpec(spec)
                .setInputCol("tensor").setOutputCol("features").setBatchSize(64);
        // finding 7: the schema Spark ML predicts is the one transform gives, metadata of every column included
        Dataset<Row> transformed = conv.transform(df);
        StructType predicted = conv.transformSchema(df.schema());
        assertEquals(predicted, transformed.schema());
        assertEquals(df.schema().apply("tensor").metadata(), transformed.schema().apply("tensor").metadata());
        assertArrayEquals(SHAPE, TensorSchemas.shapeOf(transformed.schema().apply("tensor")));
        // ... so the obvious next step writes, in the default column and in the new one
        transformed.write().format("arrow-tensor").mode("overwrite").save(tmp.resolve("tensor-out").toString());
        Dataset<Row> back = spark().read().format("arrow-tensor").load(tmp.resolve("tensor-out").toString());
        assertEquals(df.orderBy("id").select("id", "tensor").collectAsList(), back.orderBy("id").select("id", "tensor").collectAsList());

        // Scala: new Pipeline().setStages(Array(conv)).fit(df).transform(df), then the write
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {conv}).fit(df).transform(df);
        out.write().format("arrow-tensor").option("column", "features").mode("overwrite").save(tmp.resolve("out").toString());
        assertMatchesModel(spark().read().format("arrow-tensor").option("column", "features").load(tmp.resolve("out").toString())
                .orderBy("id"), "features");

        // PySpark: conv.write().overwrite().save(p); ConvTransformer.load(p) reads through the Java class's read()
        // and maps the loaded object's class name back to the Python module io.convjob.ml
        conv.write().overwrite().save(tmp.resolve("conv").toString());
        ConvTransformer loaded = ConvTransformer.read().load(tmp.resolve("conv").toString());
        assertEquals("io.convjob.ml.ConvTransformer", loaded.getClass().getName());
        assertEquals(conv.uid(), loaded.uid());
        assertEquals(spec, loaded.getSpec());
        assertEquals("features", loaded.getOutputCol());
        assertEquals(predicted, loaded.transform(df).schema());
    }

    private void assertMatchesModel(Dataset<Row> out, String column) {
        List<Row> rows = out.select("tensor", column).collectAsList();
        assertEquals(ROWS, rows.size());
        Model model = Model.fromSpec(SpecParser.parse(readSpec()));
        int in = 3 * 16 * 16;
        int outElements = 64 * 4 * 4;
        float[] x = new float[ROWS * in];
        for (int r = 0; r < ROWS; r++) {
            List<Float> values = rows.get(r).getList(0);
            for (int i = 0; i < in; i++) x[r * in + i] = values.get(i);
        }
        float[] expected = new float[ROWS * outElements];
        model.run(x, SHAPE, ROWS, expected, 1);
        for (int r = 0; r < ROWS; r++) {
            List<Float> actual = rows.get(r).getList(1);
            for (int i = 0; i < outElements; i++) {
                float e = expected[r * outElements + i];
                org.junit.jupiter.api.Assertions.assertTrue(Math.abs(actual.get(i) - e) <= 1e-5f * (1 + Math.abs(e)), "row " + r + " element " + i);
            }
        }
    }

    private static String readSpec() {
        try {
            return Files.readString(ROOT.resolve("conf/specs/feature-stack.json"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String quoted(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\") + "\"";
    }

    /** The first {@code ```lang} block of the README's "DataFrame API" section. */
    static String readmeBlock(String lang) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("### DataFrame API");
        int start = readme.indexOf("```" + lang + "\n", section);
        int end = readme.indexOf("\n```", start + 4);
        org.junit.jupiter.api.Assertions.assertTrue(section >= 0 && start >= 0 && end > start, "no ```" + lang + " block in the README's DataFrame API section");
        return readme.substring(start + lang.length() + 4, end + 1);
    }

    /**
     * Compiles the snippet (its imports at the top of a class, its statements in a method with {@code spark} in scope)
     * against the test classpath, with {@code replacements} applied, and returns a call of it on this class's session.
     */
    private Runnable compile(String snippet, Map<String, String> replacements, Path classes) throws Exception {
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : snippet.split("\n")) {
            if (line.startsWith("import ")) imports.add(line);
            else body.append(line).append('\n');
        }
        String statements = body.toString();
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            org.junit.jupiter.api.Assertions.assertTrue(statements.contains(r.getKey()), "the snippet no longer names " + r.getKey());
            statements = statements.replace(r.getKey(), r.getValue());
        }
        String source = String.join("\n", imports) + "\n\npublic class ReadmeJavaSnippet {\n"
                + "    public static void run(org.apache.spark.sql.SparkSession spark) throws Exception {\n" + statements + "    }\n}\n";
        Path src = classes.resolve("src/ReadmeJavaSnippet.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, null, errors, "-proc:none", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.toString());
        assertEquals(0, status, "the README's Java snippet does not compile:\n" + errors.toString(StandardCharsets.UTF_8) + "\n" + source);
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
        var run = loader.loadClass("ReadmeJavaSnippet").getMethod("run", SparkSession.class);
        SparkSession session = spark();
        return () -> {
            try {
                run.invoke(null, session);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
