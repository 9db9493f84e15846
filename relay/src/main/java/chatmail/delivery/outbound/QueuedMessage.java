package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A queued message whose header section is in the queue's row and whose body is the queue file
 * (SEC-1): the two are streamed one after the other, never joined in memory. The queue keeps
 * the file until the entry is removed, after the attempt.
 */
record QueuedMessage(byte[] header, Path body, long size) implements MessageBody {

    QueuedMessage(byte[] header, Path body) throws IOException {
        this(header, body, header.length + Files.size(body));
    }

    @Override
    public InputStream openStream() throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(header), Files.newInputStream(body));
    }

    @Override
    public String toString() {
        return "QueuedMessage[" + size + " bytes]";
    }
}
