package chatmail.deltachat;

/** The Secure-Join handshakes as users do them: one shows a QR code, the other scans it. */
final class SecureJoin {

    private SecureJoin() {
    }

    /** A verified 1:1 contact: each side's chat with the other. */
    record Contact(int inviterChat, int joinerChat, int inviterSeesJoiner, int joinerSeesInviter) {
    }

    static Contact setupContact(DeltaChatProfile inviter, DeltaChatProfile joiner) {
        int im = inviter.mark();
        int jm = joiner.mark();
        String qr = inviter.securejoinQr(null);
        int joinerChat = joiner.secureJoin(qr);
        DcEvent invited = inviter.await(im, e -> e.is("SecurejoinInviterProgress") && e.progress() == 1000,
                inviter.timeouts().delivery(), "Secure-Join done (inviter)");
        DcEvent joined = joiner.await(jm, e -> e.is("SecurejoinJoinerProgress") && e.progress() == 1000,
                joiner.timeouts().delivery(), "Secure-Join done (joiner)");
        int inviterChat = inviter.chatWithContact(invited.contactId());
        return new Contact(inviterChat, joinerChat, invited.contactId(), joined.contactId());
    }

    /** Joins {@code joiner} to the inviter's group by its invite QR code; returns the joiner's group chat. */
    static int joinGroup(DeltaChatProfile inviter, int groupChat, DeltaChatProfile joiner) {
        int im = inviter.mark();
        int jm = joiner.mark();
        String qr = inviter.securejoinQr(groupChat);
        int joinerChat = joiner.secureJoin(qr);
        inviter.await(im, e -> e.is("SecurejoinInviterProgress") && e.progress() == 1000,
                inviter.timeouts().delivery(), "group join done (inviter)");
        joiner.await(jm, e -> e.is("SecurejoinJoinerProgress") && e.progress() == 1000,
                joiner.timeouts().delivery(), "group join done (joiner)");
        return joinerChat;
    }
}
