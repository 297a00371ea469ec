package io.convjob.spark.image;

import io.convjob.Tensor;
import io.convjob.image.ImageFormatException;
import io.convjob.image.ImagePreprocessor;
import io.convjob.storage.Storage;
import io.convjob.storage.StorageErrors;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Reads each file of a task through the storage seam, decodes and preprocesses it into one reused buffer, and hands
 * Spark the row {@code (id, tensor[, reason])}. A file that is not a usable image fails the task with one line naming
 * it ({@link ImageFormatException}), or, keeping bad files, gives a row with a null tensor and the reason. A file that
 * cannot be read at all (a storage failure) always fails the task.
 */
final class ImagePartitionReader implements PartitionReader<InternalRow> {
    private final Storage storage;
    private final ImagePreprocessor preprocessor;
    private final boolean keepBad;
    private final ImageFilePartition partition;
    private final float[] tensor;
    /** The tensor column's value, over one buffer for the task: Spark copies each row it keeps (readers may reuse). */
    private final UnsafeArrayData values;
    private final long valuesOffset;
    private int next = -1;
    private InternalRow row;

    ImagePartitionReader(Storage storage, ImagePreprocessor preprocessor, boolean keepBad, ImageFilePartition partition) {
        this.storage = storage;
        this.preprocessor = preprocessor;
        this.keepBad = keepBad;
        this.partition = partition;
        this.tensor = new float[Math.toIntExact(Tensor.elementCount(preprocessor.outputShape()))];
        this.values = UnsafeArrayData.fromPrimitiveArray(tensor);
        this.valuesOffset = values.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(tensor.length);
    }

    @Override
    public boolean next() {
        if (++next >= partition.paths().length) return false;
        String path = partition.paths()[next];
        UTF8String id = UTF8String.fromString(path);
        try {
            preprocessor.apply(read(path, partition.lengths()[next]), path, tensor, 0);
        } catch (ImageFormatException e) {
            if (!keepBad) throw e;
            row = new GenericInternalRow(new Object[] {id, null, UTF8String.fromString(e.reason())});
            return true;
        }
        Platform.copyMemory(tensor, Platform.FLOAT_ARRAY_OFFSET, values.getBaseObject(), valuesOffset, (long) tensor.length * Float.BYTES);
        row = new GenericInternalRow(keepBad ? new Object[] {id, values, null} : new Object[] {id, values});
        return true;
    }

    /** The file's bytes, read with the length the listing gave (no second round trip to the store for it). */
    private byte[] read(String path, long length) {
        if (length > Integer.MAX_VALUE - 8) throw new ImageFormatException(path, "too large for an image (" + length + " bytes)");
        byte[] bytes = new byte[(int) length];
        if (length == 0) return bytes;
        try (FSDataInputStream in = storage.open(new Path(path))) {
            in.readFully(0, bytes);
        } catch (IOException e) {
            throw StorageErrors.of(path, e);
        }
        return bytes;
    }

    @Override
    public InternalRow get() {
        return row;
    }

    @Override
    public void close() {
    }
}
