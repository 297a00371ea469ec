package io.convjob.job.storage;

/** {@link StorageEndToEnd} on a real in-process HDFS. */
class HdfsStorageTest extends StorageEndToEnd {
    private HdfsCluster hdfs;

    @Override
    String startStorage(java.nio.file.Path work) {
        hdfs = new HdfsCluster(work);
        return hdfs.uri() + "/data";
    }

    @Override
    void stopStorage() {
        if (hdfs != null) hdfs.close();
    }
}
