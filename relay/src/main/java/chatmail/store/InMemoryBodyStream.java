package chatmail.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream of a body held in memory. {@link #transferTo} hands the rest to the output in one
 * write: {@link ByteArrayInputStream}'s copies it through a new buffer first (so that an output
 * it does not know cannot change the array), and every message's header cleanup streams its
 * body this way into a spool writer, which copies what it is given anyway.
 */
public final class InMemoryBodyStream extends ByteArrayInputStream {

    public InMemoryBodyStream(byte[] bytes) {
        super(bytes);
    }

    @Override
    public synchronized long transferTo(OutputStream out) throws IOException {
        int n = count - pos;
        out.write(buf, pos, n);
        pos = count;
        return n;
    }
}
