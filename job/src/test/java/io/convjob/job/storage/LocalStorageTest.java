package io.convjob.job.storage;

/** {@link StorageEndToEnd} on local paths (plain paths, as users give them). */
class LocalStorageTest extends StorageEndToEnd {
    @Override
    String startStorage(java.nio.file.Path work) {
        return work.toAbsolutePath().toString();
    }

    @Override
    void stopStorage() {}
}
