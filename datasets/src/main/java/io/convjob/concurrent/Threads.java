package io.convjob.concurrent;

/** Thread helpers shared by the datasets and the job. */
public final class Threads {
    private Threads() {}

    /**
     * Waits until {@code thread} has ended, even if the caller is interrupted meanwhile (its resources may only be
     * released after that); the caller's interrupt status is restored before returning.
     */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
