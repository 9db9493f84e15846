package chatmail.imap;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * The server half of COMPRESS=DEFLATE (RFC 4978): raw deflate, sync-flushed at every
 * {@link #flush()}, and the compressed bytes of one burst written in one write.
 *
 * <p>A JDK Deflater holds about 250 KiB of native memory. After a sync flush the stream is at
 * a block boundary, and a new Deflater's output (blocks that refer only to themselves) continues
 * a raw deflate stream correctly, so while a connection idles the Deflater can be ended and a
 * fresh one made for the next burst ({@link #releaseAfterFlush}). Compression of later bursts
 * then starts without history, which costs a little ratio and saves the memory.
 */
final class DeflateOutputStream extends OutputStream {
    private static final int CHUNK = 8192;

    private final OutputStream out;
    private Deflater deflater;
    private byte[] compressed = new byte[CHUNK];
    private int length;
    private volatile boolean releaseAfterFlush;

    DeflateOutputStream(OutputStream out) {
        this.out = out;
    }

    /** While true, the Deflater is ended after each flush (the connection is idle). */
    void releaseAfterFlush(boolean release) {
        this.releaseAfterFlush = release;
    }

    boolean holdsDeflater() {
        return deflater != null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            drain(Deflater.NO_FLUSH);
        }
        if (length > 64 * 1024) {
            writeCompressed();
        }
    }

    @Override
    public void flush() throws IOException {
        if (deflater != null) {
            int produced;
            do {
                produced = drain(Deflater.SYNC_FLUSH);
            } while (produced > 0 && length == compressed.length);
            writeCompressed();
            if (releaseAfterFlush) {
                deflater.end();
                deflater = null;
            }
        }
        out.flush();
    }

    /** Deflates into the free space of {@link #compressed}, growing it when full. */
    private int drain(int mode) {
        if (length == compressed.length) {
            compressed = Arrays.copyOf(compressed, compressed.length * 2);
        }
        int n = deflater.deflate(compressed, length, compressed.length - length, mode);
        length += n;
        return n;
    }

    private void writeCompressed() throws IOException {
        if (length > 0) {
            out.write(compressed, 0, length);
            length = 0;
        }
        if (compressed.length > 4 * CHUNK) {
            compressed = new byte[CHUNK];
        }
    }

    @Override
    public void close() throws IOException {
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
        out.close();
    }
}
