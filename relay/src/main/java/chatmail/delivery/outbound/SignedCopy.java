package chatmail.delivery.outbound;

import chatmail.store.MessageBody;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Optional;

/**
 * A queued message with the DKIM-Signature field made for it on top. A message held in memory
 * becomes one array, so /mxdeliv sends it in one write (as a message queued signed); a queue
 * file is streamed after the field, never read whole (SEC-1).
 */
record SignedCopy(byte[] field, MessageBody message) implements MessageBody {

    static MessageBody of(byte[] field, MessageBody message) {
        if (field.length == 0) {
            return message;
        }
        Optional<byte[]> held = message.inMemory();
        if (held.isPresent()) {
            byte[] whole = new byte[field.length + held.get().length];
            System.arraycopy(field, 0, whole, 0, field.length);
            System.arraycopy(held.get(), 0, whole, field.length, held.get().length);
            return MessageBody.of(whole);
        }
        return new SignedCopy(field, message);
    }

    @Override
    public long size() {
        return field.length + message.size();
    }

    @Override
    public InputStream openStream() throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(field), message.openStream());
    }

    @Override
    public String toString() {
        return "SignedCopy[" + size() + " bytes]";
    }
}
