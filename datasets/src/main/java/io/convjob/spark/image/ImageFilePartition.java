package io.convjob.spark.image;

import org.apache.spark.sql.connector.read.InputPartition;

/** One task's image files: their paths (the rows' ids) and lengths as listed. */
record ImageFilePartition(String[] paths, long[] lengths) implements InputPartition {
}
