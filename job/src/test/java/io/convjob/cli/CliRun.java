package io.convjob.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One CLI invocation's exit code and streams, as a user would see them. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** stderr without the JVM's incubator warning */
    String errLines() {
        return err.strip();
    }
}
