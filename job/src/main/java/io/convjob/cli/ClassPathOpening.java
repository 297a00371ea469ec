package io.convjob.cli;

/**
 * Opens the class path's jars on a background thread at start-up. A local path's storage asks whether a
 * {@code core-site.xml} on the class path could name another default file system (see {@code Storage}); that look-up
 * finds nothing in convjob's ~200 jars, and the first miss opens every one of them: about half a second (0.45 CPU-s)
 * on the development VM, on the main thread, between the argument parsing and the model's start. Done here first, it
 * runs on the other core while picocli parses; the class loader keeps the jars open, so the real look-up then takes
 * about a millisecond. Nothing waits for it.
 */
final class ClassPathOpening {
    private ClassPathOpening() {}

    static void begin() {
        Thread t = new Thread(() -> {
            ClassLoader loader = ClassPathOpening.class.getClassLoader();
            if (loader != null) loader.getResource("core-site.xml");
        }, "convjob-class-path-opening");
        t.setDaemon(true);
        t.start();
    }
}
