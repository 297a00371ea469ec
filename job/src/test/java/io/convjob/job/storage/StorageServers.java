package io.convjob.job.storage;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' HDFS and S3 servers for trying convjob by hand and for the storage measurements in the README: starts
 * both on 127.0.0.1, copies a local directory to {@code /in} on both (optional), prints their URIs and S3A's
 * settings, and stops them when stdin closes (Ctrl-D). Run with the job module's test classpath:
 * {@code java -cp ... io.convjob.job.storage.StorageServers WORKDIR [LOCAL_DIR_TO_UPLOAD]}.
 */
public final class StorageServers {
    private StorageServers() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/storage-servers"));
        try (HdfsCluster hdfs = new HdfsCluster(work.resolve("hdfs")); S3Server s3 = new S3Server(work.resolve("s3"))) {
            s3.createBucket("convjob");
            if (args.length > 1) {
                org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
                s3.hadoopSettings().forEach(conf::set);
                org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(Path.of(args[1]).toAbsolutePath().toUri());
                for (String to : new String[] {hdfs.uri() + "/data/in", "s3a://convjob/in"}) {
                    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(to);
                    target.getFileSystem(conf).copyFromLocalFile(false, true, from, target);
                }
            }
            System.out.println("hdfs: " + hdfs.uri() + "/data");
            System.out.println("s3:   s3a://convjob/");
            System.out.println("s3a settings: " + String.join(" ", s3.confArguments()));
            System.out.flush();
            while (System.in.read() >= 0) {
                // until stdin closes
            }
        }
    }
}
