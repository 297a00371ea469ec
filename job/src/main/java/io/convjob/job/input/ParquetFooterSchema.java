package io.convjob.job.input;

import io.convjob.error.InputException;
import io.convjob.storage.Storage;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.Footer;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark schema of a Parquet input, read on the driver from one data file's footer, the way Spark's own inference
 * reads it when schemas are not merged (one footer, Spark's row metadata if the file has it, else the Parquet schema
 * converted with the session's settings). Given to the reader, it spares every run the Spark job that Spark's
 * inference launches to read that one footer.
 *
 * @param file       the data file whose footer gave the schema
 * @param schema     the rows' schema, as Spark would have inferred it
 * @param keyValues  the footer's key-value metadata (pyarrow's {@code ARROW:schema}, Spark's row metadata)
 */
public record ParquetFooterSchema(String file, StructType schema, Map<String, String> keyValues) {

    /** Spark's setting that merges the schemas of all files: then Spark infers, as before. */
    static final String MERGE_SCHEMA = "spark.sql.parquet.mergeSchema";

    /**
     * The schema of the Parquet input at {@code path}, or null where only Spark's inference decides as Spark does:
     * a glob, partition or other subdirectories, summary files ({@code _metadata}), no data file, schema merging or
     * {@code ignoreCorruptFiles} turned on, or a footer that cannot be read (Spark then reports it as before).
     *
     * @throws InputException if the data file is not a Parquet file (one line naming it)
     */
    public static ParquetFooterSchema of(SparkSession reading, Storage storage, String path) {
        SQLConf conf = reading.sessionState().conf();
        if (Storage.isGlob(path) || conf.isParquetSchemaMergingEnabled() || conf.ignoreCorruptFiles()) return null;
        Path dataFile = firstDataFile(storage, storage.path("--input", path));
        if (dataFile == null) return null;
        Configuration hadoop = reading.sessionState().newHadoopConf();
        ParquetMetadata footer;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(dataFile, hadoop))) {
            footer = reader.getFooter();
        } catch (IOException e) {
            return null;
        } catch (RuntimeException e) {
            InputException bad = notParquet(path, e);
            if (bad != null) throw bad;
            return null;
        }
        StructType schema = ParquetFileFormat.readSchemaFromFooter(new Footer(dataFile, footer),
                new ParquetToSparkSchemaConverter(conf));
        return new ParquetFooterSchema(dataFile.toString(), schema, footer.getFileMetaData().getKeyValueMetaData());
    }

    /**
     * Bad input naming the file if {@code e} (or a cause) says a file is not Parquet, with a hint when it is Arrow
     * IPC; else null.
     */
    static InputException notParquet(String path, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf(" is not a Parquet file");
            if (at > 0) {
                return new InputException("--input " + path + ": " + m.substring(0, at) + " is not a Parquet file"
                        + (m.contains("[65, 82, 82, 79]") || m.contains("[82, 79, 87, 49]")
                        ? " (it is Arrow IPC: use --input-format arrow)" : ""), e);
            }
        }
        return null;
    }

    /**
     * The file itself, or the first data file of a directory by name (Spark's listing skips names starting with
     * {@code _} or {@code .}); null if the directory has subdirectories or summary files, whose schemas Spark's
     * inference treats its own way, or no data file.
     */
    private static Path firstDataFile(Storage storage, Path input) {
        FileStatus status = storage.status(input);
        if (status == null) return null;
        if (!status.isDirectory()) return status.getPath();
        List<FileStatus> children = storage.list(input);
        if (children.stream().anyMatch(FileStatus::isDirectory)) return null;
        if (children.stream().anyMatch(f -> isSummary(f.getPath().getName()))) return null;
        return children.stream().map(FileStatus::getPath).filter(p -> isData(p.getName()))
                .min(Comparator.comparing(Path::getName)).orElse(null);
    }

    private static boolean isSummary(String name) {
        return name.equals("_metadata") || name.equals("_common_metadata");
    }

    private static boolean isData(String name) {
        return !name.startsWith("_") && !name.startsWith(".") && !name.endsWith("._COPYING_");
    }
}
