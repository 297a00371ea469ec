package io.convjob.job.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * A real in-process HDFS (NameNode + one DataNode from hadoop-client-minicluster) on 127.0.0.1, ephemeral ports.
 * It runs as the user {@value #SUPERUSER}, so the test's own user is an ordinary HDFS user and permissions are real;
 * {@code /data} belongs to the test's user, {@code /locked} to the superuser with mode 700.
 */
public final class HdfsCluster implements AutoCloseable {
    public static final String SUPERUSER = "hdfs";

    private final MiniDFSCluster cluster;

    public HdfsCluster(Path baseDir) {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toAbsolutePath().toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.setBoolean("dfs.permissions.enabled", true);
        String me = currentUser();
        try {
            UserGroupInformation admin = UserGroupInformation.createRemoteUser(SUPERUSER);
            this.cluster = admin.doAs((PrivilegedExceptionAction<MiniDFSCluster>) () -> {
                MiniDFSCluster c = new MiniDFSCluster.Builder(conf).numDataNodes(1).nameNodePort(0).build();
                c.waitActive();
                FileSystem fs = c.getFileSystem();
                org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path("/data");
                fs.mkdirs(data);
                fs.setOwner(data, me, null);
                org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/locked");
                fs.mkdirs(locked);
                fs.setPermission(locked, new FsPermission((short) 0700));
                return c;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code hdfs://127.0.0.1:PORT} */
    public String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    private static String currentUser() {
        try {
            return UserGroupInformation.getCurrentUser().getShortUserName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
