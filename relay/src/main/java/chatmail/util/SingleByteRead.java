package chatmail.util;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@link InputStream#read()} for the relay's streams that convert or limit a block at a time:
 * their one-byte read goes through their block read, so the conversion or limit exists once.
 */
public final class SingleByteRead {
    private SingleByteRead() {
    }

    /** One byte of {@code in} read through {@code in.read(byte[], int, int)}, or -1 at its end. */
    public static int through(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n = in.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
