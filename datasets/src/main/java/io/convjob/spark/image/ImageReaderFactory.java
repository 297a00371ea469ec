package io.convjob.spark.image;

import io.convjob.image.ImagePreprocessor;
import io.convjob.storage.Storage;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** Executor side: reads, decodes and preprocesses one task's files. */
final class ImageReaderFactory implements PartitionReaderFactory {
    private final Storage storage;
    private final ImagePreprocessor preprocessor;
    private final boolean keepBad;

    ImageReaderFactory(Storage storage, ImagePreprocessor preprocessor, boolean keepBad) {
        this.storage = storage;
        this.preprocessor = preprocessor;
        this.keepBad = keepBad;
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        return new ImagePartitionReader(storage, preprocessor, keepBad, (ImageFilePartition) partition);
    }
}
