package io.convjob.job.input;

import io.convjob.image.ImageFormatException;
import io.convjob.image.ImagePreprocessor;
import io.convjob.Tensor;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.Iterator;

/**
 * Decodes and preprocesses {@code (path, content)} rows of the {@code binaryFile} source into {@code (id, tensor)}
 * rows, on the executors. A bad file fails the task with one line naming it (an {@link ImageFormatException}), or (keeping bad rows) gives a row with a
 * null tensor and the reason, for {@code _rejected}.
 */
final class ImageRowsFunction implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ImagePreprocessor preprocessor;
    private final boolean keepBad;

    ImageRowsFunction(ImagePreprocessor preprocessor, boolean keepBad) {
        this.preprocessor = preprocessor;
        this.keepBad = keepBad;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> files) {
        int elements = Math.toIntExact(Tensor.elementCount(preprocessor.outputShape()));
        return new Iterator<>() {
            @Override public boolean hasNext() { return files.hasNext(); }

            @Override public Row next() {
                Row file = files.next();
                String path = file.getString(0);
                byte[] content = (byte[]) file.get(1);
                float[] tensor = new float[elements];
                try {
                    preprocessor.apply(content, path, tensor, 0);
                } catch (ImageFormatException e) {
                    if (!keepBad) throw e;
                    return RowFactory.create(path, null, e.reason());
                }
                return keepBad ? RowFactory.create(path, tensor, null) : RowFactory.create(path, tensor);
            }
        };
    }
}
