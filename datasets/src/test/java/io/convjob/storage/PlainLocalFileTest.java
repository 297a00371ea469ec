package io.convjob.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** Which paths are read as plain local files without starting a Hadoop FileSystem. */
class PlainLocalFileTest {
    @Test
    void aSchemeLessPathIsLocalOnlyWhenTheDefaultFileSystemIs() {
        assertEquals(java.nio.file.Path.of("conf/specs/a.json"), Storage.standard().plainLocalFile(new Path("conf/specs/a.json")));
        assertEquals(java.nio.file.Path.of("/data/a.json"), Storage.standard().plainLocalFile(new Path("/data/a.json")));
        Configuration cluster = new Configuration(false);
        cluster.set("fs.defaultFS", "hdfs://namenode:8020");
        assertNull(Storage.of(cluster).plainLocalFile(new Path("/data/a.json")));
    }

    @Test
    void pathsWithASchemeGoThroughTheirFileSystem() {
        assertNull(Storage.standard().plainLocalFile(new Path("file:/data/a.json")));
        assertNull(Storage.standard().plainLocalFile(new Path("hdfs://namenode:8020/data/a.json")));
        assertNull(Storage.standard().plainLocalFile(new Path("s3a://bucket/a.json")));
    }
}
