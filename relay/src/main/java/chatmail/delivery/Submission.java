package chatmail.delivery;

import chatmail.spool.SpoolWriter;
import chatmail.store.Account;
import java.util.List;

/**
 * One submitted message as the session collected it: who sent it, to whom (as the pipeline
 * sorted the recipients at RCPT), and its body in the spool.
 *
 * @param envelopeSender the MAIL FROM address
 */
public record Submission(Account submitter, String envelopeSender, List<Account> localRecipients,
        List<FailedRecipient> failedRecipients, List<String> remoteRecipients, SpoolWriter body) {

    public Submission {
        localRecipients = List.copyOf(localRecipients);
        failedRecipients = List.copyOf(failedRecipients);
        remoteRecipients = List.copyOf(remoteRecipients);
    }
}
