package io.convjob.ml;

import io.convjob.Model;
import io.convjob.job.Conformance;
import io.convjob.job.SparkTestBase;
import io.convjob.spark.TensorSchemas;
import io.convjob.spec.SpecParser;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConvTransformerTest extends SparkTestBase {

    private static final int[] SHAPE = {3, 16, 16};

    @Test
    void pipelineSaveLoadRoundTripMatchesModelRun(@TempDir Path tmp) throws IOException {
        String spec = Files.readString(Conformance.datasetE2e().resolve("spec.json"));
        Dataset<Row> input = spark().read().parquet(Conformance.datasetE2e().resolve("input_parquet").toString())
                .repartition(3);
        ConvTransformer conv = new ConvTransformer().setSpec(spec).setInputCol("tensor").setOutputCol("features")
                .setInputShape(SHAPE).setBatchSize(7);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {conv}).fit(input);
        String saved = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);

        ConvTransformer reloaded = (ConvTransformer) loaded.stages()[0];
        assertEquals(spec, reloaded.getSpec());
        assertEquals(7, reloaded.getBatchSize());
        assertArrayEquals(SHAPE, reloaded.getInputShape());

        Dataset<Row> out = loaded.transform(input).orderBy("id");
        assertArrayEquals(new int[] {4, 8, 8}, TensorSchemas.shapeOf(out.schema().apply("features")));
        // every input column comes through unchanged
        assertDataFrameEquals(input.orderBy("id"), out.drop("features"));

        List<Row> rows = out.select("tensor", "features").collectAsList();
        assertEquals(192, rows.size());
        Model model = Model.fromSpec(SpecParser.parse(spec));
        int inElements = 3 * 16 * 16;
        float[] x = new float[rows.size() * inElements];
        for (int r = 0; r < rows.size(); r++) {
            List<Float> values = rows.get(r).getList(0);
            for (int i = 0; i < inElements; i++) x[r * inElements + i] = values.get(i);
        }
        int outElements = 4 * 8 * 8;
        float[] expected = new float[rows.size() * outElements];
        model.run(x, SHAPE, rows.size(), expected, 1);
        float maxAbs = 0;
        for (float v : expected) maxAbs = Math.max(maxAbs, Math.abs(v));
        for (int r = 0; r < rows.size(); r++) {
            List<Float> actual = rows.get(r).getList(1);
            assertEquals(outElements, actual.size());
            for (int i = 0; i < outElements; i++) {
                float e = expected[r * outElements + i];
                org.junit.jupiter.api.Assertions.assertTrue(Math.abs(actual.get(i) - e) <= 1e-6f * maxAbs, "row " + r + " element " + i);
            }
        }
    }

    @Test
    void schemaCarriesOutputShapeAndReplacesInPlace() {
        String spec = "{\"layer\": \"Conv\", \"num_spatial_dims\": 1, \"in_channels\": 2, \"out_channels\": 3,"
                + " \"kernel_size\": 3, \"key\": 1}";
        Dataset<Row> input = spark().sql("SELECT id, array_repeat(CAST(id AS FLOAT), 10) AS tensor FROM range(5)");
        ConvTransformer conv = new ConvTransformer().setSpec(spec).setInputCol("tensor").setOutputCol("tensor")
                .setInputShape(new int[] {2, 5});
        Dataset<Row> out = conv.transform(input);
        assertEquals(List.of("id", "tensor"), List.of(out.columns()));
        assertArrayEquals(new int[] {3, 3}, TensorSchemas.shapeOf(out.schema().apply("tensor")));
        assertEquals(out.schema(), conv.transformSchema(input.schema()));
        assertEquals(5, out.filter(col("tensor").isNotNull()).count());
    }
}
