package io.convjob.cli;

import picocli.CommandLine;

/** The version from the jar manifest (absent when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        String v = ConvjobCommand.class.getPackage().getImplementationVersion();
        return new String[] {"convjob " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version() + ", " + System.getProperty("java.vm.name")};
    }
}
