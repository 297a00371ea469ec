package io.convjob.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip file read through its central directory (ZIP64 included), over any seekable byte channel
 * (a local file, or an HDFS / S3 stream behind an adapter). A file cut short loses its central directory, so a
 * truncated checkpoint is refused up front, never read in part. Entries are stored or deflated; each is checked
 * against its CRC-32 when read.
 */
final class ZipArchive {

    /** One file of the archive as the central directory lists it. */
    record Entry(String name, int method, long compressedSize, long size, long crc, long localHeaderOffset) {}

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;
    private static final long MAX_DEFLATE_RATIO = 1032;

    private final SeekableByteChannel channel;
    private final Map<String, Entry> entries;

    private ZipArchive(SeekableByteChannel channel, Map<String, Entry> entries) {
        this.channel = channel;
        this.entries = entries;
    }

    /** @throws ZipFormatException if there is no valid central directory (not a zip, or truncated) */
    static ZipArchive open(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        int tail = (int) Math.min(size, 22 + 0xffff);
        ByteBuffer end = read(channel, size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw new ZipFormatException("no zip end-of-central-directory record (truncated, or not a zip)");
        long count = end.getShort(eocd + 10) & 0xffff;
        long dirSize = end.getInt(eocd + 12) & 0xffffffffL;
        long dirOffset = end.getInt(eocd + 16) & 0xffffffffL;
        long locator = size - tail + eocd - 20;
        if (locator >= 0 && read(channel, locator, 4).getInt(0) == ZIP64_LOCATOR) {
            long zip64At = read(channel, locator + 8, 8).getLong(0);
            ByteBuffer z = read(channel, zip64At, 56);
            if (z.getInt(0) != ZIP64_EOCD) throw new ZipFormatException("broken ZIP64 end record");
            count = z.getLong(32);
            dirSize = z.getLong(40);
            dirOffset = z.getLong(48);
        }
        if (dirOffset < 0 || dirSize < 0 || dirSize > size - dirOffset || dirSize > Integer.MAX_VALUE) {
            throw new ZipFormatException("central directory lies outside the file (truncated)");
        }
        ByteBuffer dir = read(channel, dirOffset, (int) dirSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int at = 0;
        for (long i = 0; i < count; i++) {
            if (at + 46 > dir.limit() || dir.getInt(at) != CENTRAL) {
                throw new ZipFormatException("central directory entry " + i + " is broken");
            }
            int method = dir.getShort(at + 10) & 0xffff;
            long crc = dir.getInt(at + 16) & 0xffffffffL;
            long compressed = dir.getInt(at + 20) & 0xffffffffL;
            long uncompressed = dir.getInt(at + 24) & 0xffffffffL;
            int nameLength = dir.getShort(at + 28) & 0xffff;
            int extraLength = dir.getShort(at + 30) & 0xffff;
            int commentLength = dir.getShort(at + 32) & 0xffff;
            long localOffset = dir.getInt(at + 42) & 0xffffffffL;
            if (at + 46 + nameLength + extraLength > dir.limit()) {
                throw new ZipFormatException("central directory entry " + i + " is broken");
            }
            byte[] nameBytes = new byte[nameLength];
            dir.get(at + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extra field: the 64-bit values of whichever 32-bit fields are saturated, in this order
            int extra = at + 46 + nameLength;
            for (int e = extra; e + 4 <= extra + extraLength; ) {
                int id = dir.getShort(e) & 0xffff;
                int len = dir.getShort(e + 2) & 0xffff;
                if (id == 0x0001) {
                    int v = e + 4;
                    int fieldEnd = Math.min(v + len, extra + extraLength);
                    if (uncompressed == 0xffffffffL) { uncompressed = zip64Value(dir, v, fieldEnd, i); v += 8; }
                    if (compressed == 0xffffffffL) { compressed = zip64Value(dir, v, fieldEnd, i); v += 8; }
                    if (localOffset == 0xffffffffL) { localOffset = zip64Value(dir, v, fieldEnd, i); }
                }
                e += 4 + len;
            }
            if (uncompressed < 0 || compressed < 0 || localOffset < 0) {
                throw new ZipFormatException("central directory entry " + i + " has a size or offset beyond 2^63");
            }
            entries.put(name, new Entry(name, method, compressed, uncompressed, crc, localOffset));
            at += 46 + nameLength + extraLength + commentLength;
        }
        return new ZipArchive(channel, Collections.unmodifiableMap(entries));
    }

    /** A 64-bit value of a ZIP64 extra field, which must lie inside the field. */
    private static long zip64Value(ByteBuffer dir, int at, int fieldEnd, long entry) {
        if (at + 8 > fieldEnd) throw new ZipFormatException("central directory entry " + entry + " has a short ZIP64 field");
        return dir.getLong(at);
    }

    Map<String, Entry> entries() { return entries; }

    /** The whole entry, inflated if needed and checked against its CRC-32. */
    byte[] read(Entry entry) throws IOException {
        if (entry.size() > Integer.MAX_VALUE - 8) {
            throw new ZipFormatException("entry " + entry.name() + " is larger than 2 GiB");
        }
        ByteBuffer local = read(channel, entry.localHeaderOffset(), 30);
        if (local.getInt(0) != LOCAL) throw new ZipFormatException("entry " + entry.name() + " has no local header");
        long dataAt = entry.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        if (entry.compressedSize() > channel.size() - dataAt) {
            throw new ZipFormatException("entry " + entry.name() + " runs past the end of the file (truncated)");
        }
        byte[] data;
        if (entry.method() == STORED) {
            data = read(channel, dataAt, (int) entry.size()).array();
        } else if (entry.method() == DEFLATED) {
            data = inflate(entry, read(channel, dataAt, (int) entry.compressedSize()).array());
        } else {
            throw new ZipFormatException("entry " + entry.name() + " uses compression method " + entry.method()
                    + "; only stored and deflated are read");
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        if (crc.getValue() != entry.crc()) throw new ZipFormatException("entry " + entry.name() + " fails its CRC check (corrupt)");
        return data;
    }

    /**
     * Inflates into one array of the declared size. Deflate spends at least 2 bits on a 258-byte match, so no stream
     * inflates by more than 1032:1: a larger declared size is refused before anything is allocated for it.
     */
    private static byte[] inflate(Entry entry, byte[] compressed) {
        if (entry.size() > (entry.compressedSize() + 1) * MAX_DEFLATE_RATIO) {
            throw new ZipFormatException("entry " + entry.name() + " declares " + entry.size() + " bytes from "
                    + entry.compressedSize() + " compressed, beyond deflate's largest ratio (" + MAX_DEFLATE_RATIO
                    + ":1) (corrupt)");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[(int) entry.size()];
            byte[] beyond = new byte[1];
            int filled = 0;
            while (!inflater.finished()) {
                int n = filled < out.length ? inflater.inflate(out, filled, out.length - filled) : inflater.inflate(beyond);
                if (filled == out.length && n > 0) {
                    throw new ZipFormatException("entry " + entry.name() + " inflates beyond its declared size (corrupt)");
                }
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new ZipFormatException("entry " + entry.name() + " is cut short (truncated)");
                }
                filled += n;
            }
            if (filled != out.length) {
                throw new ZipFormatException("entry " + entry.name() + " inflates to " + filled + " bytes, not the declared "
                        + out.length + " (corrupt)");
            }
            return out;
        } catch (DataFormatException e) {
            throw new ZipFormatException("entry " + entry.name() + " is corrupt: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static ByteBuffer read(SeekableByteChannel channel, long position, int length) throws IOException {
        if (position < 0 || length < 0 || length > channel.size() - position) {
            throw new ZipFormatException("a zip record lies outside the file (truncated)");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        channel.position(position);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) throw new ZipFormatException("the file ends early (truncated)");
        }
        return buffer.flip();
    }

    /** Not a zip, or a damaged one. */
    static final class ZipFormatException extends RuntimeException {
        ZipFormatException(String message) { super(message); }
    }
}
