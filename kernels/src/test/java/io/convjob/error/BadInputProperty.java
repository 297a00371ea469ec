package io.convjob.error;

/**
 * The property every reader's fuzz test checks: reading arbitrary bytes either returns a result (which the caller
 * validates) or throws an {@link InputException}, the class the CLI reports as exit 2, with a usable message.
 * Anything else escapes as a finding: another RuntimeException, a StackOverflowError, an OutOfMemoryError.
 */
public final class BadInputProperty {
    /** Longer than any one-line message should be; a message this long echoes input it should have cut. */
    public static final int MAX_MESSAGE_CHARS = 2000;

    private BadInputProperty() {}

    /** A read that returns normally or fails as bad input. */
    @FunctionalInterface
    public interface Read {
        void run() throws Exception;
    }

    /**
     * Runs {@code read} of {@code input}; an {@link InputException} passes if its message is usable, anything else
     * is rethrown.
     */
    public static void check(byte[] input, Read read) {
        try {
            read.run();
        } catch (InputException e) {
            requireUsableMessage(e, input);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("checked exception escaped the reader: " + e, e);
        }
    }

    /**
     * The message the CLI prints after {@code error: }: present, of bounded length, and without a {@code null} where
     * a detail should be (unless the input itself says {@code null}: messages quote the bad input).
     */
    public static void requireUsableMessage(InputException e, byte[] input) {
        String m = e.getMessage();
        boolean inputSaysNull = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1).contains("null");
        if (m == null || m.isBlank() || m.equals("null")
                || (!inputSaysNull && (m.contains("(null)") || m.endsWith(": null")))) {
            throw new AssertionError("bad-input message is empty or null: '" + m + "'", e);
        }
        if (m.length() > MAX_MESSAGE_CHARS) {
            throw new AssertionError("bad-input message of " + m.length() + " chars: " + m.substring(0, 300) + "...", e);
        }
    }

    /** A validity check of a result that failed. */
    public static AssertionError invalid(String what) {
        return new AssertionError("invalid result: " + what);
    }
}
