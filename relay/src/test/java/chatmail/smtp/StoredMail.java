package chatmail.smtp;

import chatmail.store.Account;
import chatmail.store.MailStore;
import chatmail.store.Mailbox;
import chatmail.store.MessageInfo;
import chatmail.store.MessageRef;
import chatmail.testing.TestRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What a test relay has stored, read back through the store as IMAP would. */
public final class StoredMail {

    private StoredMail() {}

    /** The raw messages in the account's INBOX in UID order; empty when the account or INBOX is absent. */
    public static List<byte[]> inbox(TestRelay relay, String address) {
        return inbox(relay.relay().store(), address);
    }

    public static List<byte[]> inbox(MailStore store, String address) {
        Optional<Account> account = store.findAccount(address);
        if (account.isEmpty()) {
            return List.of();
        }
        Optional<Mailbox> box = store.mailbox(account.get().id(), "INBOX");
        if (box.isEmpty()) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        for (MessageInfo m : store.snapshot(box.get().id()).messages()) {
            try {
                out.add(store.content(box.get().id(), m.uid()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public static List<MessageInfo> inboxInfo(TestRelay relay, String address) {
        MailStore store = relay.relay().store();
        Account a = store.findAccount(address).orElseThrow();
        return store.snapshot(store.mailbox(a.id(), "INBOX").orElseThrow().id()).messages();
    }

    /** Every message of every account, however old: "nothing was stored" means this stays empty. */
    public static List<MessageRef> everything(TestRelay relay) {
        return relay.relay().store().messagesReceivedBefore(relay.clock().instant().plus(Duration.ofDays(36500)), null, Integer.MAX_VALUE);
    }

    public static int count(TestRelay relay) {
        return everything(relay).size();
    }
}
