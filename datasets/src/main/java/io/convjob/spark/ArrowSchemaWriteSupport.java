package io.convjob.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;

import java.util.HashMap;
import java.util.Map;

/** Spark's Parquet write support, adding the {@code ARROW:schema} footer entry that {@link TensorParquetFormat} set. */
public class ArrowSchemaWriteSupport extends ParquetWriteSupport {
    @Override
    public WriteContext init(Configuration configuration) {
        WriteContext context = super.init(configuration);
        String schema = configuration.get(TensorParquetFormat.ARROW_SCHEMA_CONF);
        if (schema == null) return context;
        Map<String, String> metadata = new HashMap<>(context.getExtraMetaData());
        metadata.put(TensorParquetFormat.ARROW_SCHEMA_KEY, schema);
        return new WriteContext(context.getSchema(), metadata);
    }
}
