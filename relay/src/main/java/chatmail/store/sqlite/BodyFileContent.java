package chatmail.store.sqlite;

import chatmail.store.StoredContent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A body file opened for reading: positional reads, so several ranges may be read one after the
 * other, and the open channel keeps the bytes readable when an expunge unlinks the file.
 */
final class BodyFileContent implements StoredContent {
    private final FileChannel channel;
    private final long size;

    private BodyFileContent(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    static BodyFileContent open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new BodyFileContent(channel, channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream range(long from, long length) {
        long start = Math.min(Math.max(from, 0), size);
        long end = start + Math.min(Math.max(length, 0), size - start);
        return new InputStream() {
            private long position = start;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position >= end) {
                    return -1;
                }
                int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
                if (n < 0) {
                    throw new IOException("body file shorter than its size");
                }
                position += n;
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, end - position);
            }
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
