package io.convjob.job.frame;

import java.io.Serializable;

/**
 * Where the tensor sits in the rows a partition function reads, and what it writes back.
 *
 * @param tensorIndex input column holding the tensor
 * @param columnName  its name, for messages
 * @param replace     true: the result replaces the tensor; false: it is appended after the kept columns
 * @param keptColumns how many leading input columns are copied to the output (trailing helper columns are dropped)
 * @param idIndex     column naming a row in messages, or -1 to use the row's position in its partition
 * @param fileIndex   column holding the row's file, or -1
 * @param source      what to name as the file when no file column says it
 */
public record TensorLayout(int tensorIndex, String columnName, boolean replace, int keptColumns, int idIndex,
        int fileIndex, String source) implements Serializable {

    int outputWidth() {
        return replace ? keptColumns : keptColumns + 1;
    }
}
