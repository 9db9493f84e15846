package chatmail.store.sqlite;

import chatmail.store.ContentRange;
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
        return new ContentRange(from, length, size) {
            @Override
            protected int readAt(long position, byte[] b, int off, int len) throws IOException {
                int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                if (n < 0) {
                    throw new IOException("body file shorter than its size");
                }
                return n;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, remaining());
            }
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
