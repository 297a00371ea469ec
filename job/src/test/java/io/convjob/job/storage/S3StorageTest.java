package io.convjob.job.storage;

import java.util.Map;

/** {@link StorageEndToEnd} on a real S3-compatible server (s3proxy) through s3a://, path-style. */
class S3StorageTest extends StorageEndToEnd {
    private S3Server s3;

    @Override
    String startStorage(java.nio.file.Path work) {
        s3 = new S3Server(work);
        s3.createBucket("convjob");
        return "s3a://convjob/data";
    }

    @Override
    Map<String, String> hadoopSettings() {
        return s3.hadoopSettings();
    }

    @Override
    void stopStorage() {
        if (s3 != null) s3.close();
    }
}
