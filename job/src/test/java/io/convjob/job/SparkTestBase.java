package io.convjob.job;

import io.convjob.job.model.ModelCache;
import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One local[2] Spark session per test class (UI off), from spark-testing-base, driven from JUnit 5. Tasks may fail
 * up to 3 times, so retried attempts can be tested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {

    @BeforeAll
    void startSpark() {
        runBefore();
    }

    @AfterAll
    void stopSpark() {
        runAfterClass();
        ModelCache.shared().clear();
    }

    @Override
    public SparkConf conf() {
        SparkConf conf = super.conf().setMaster("local[2,3]").set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", "4");
        extraConf(conf);
        return conf;
    }

    /** Settings a test class adds to its session. */
    protected void extraConf(SparkConf conf) {}

    @Override
    public boolean enableHiveSupport() {
        return false;
    }
}
