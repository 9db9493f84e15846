package chatmail.delivery.outbound;

/** What became of one recipient in one delivery attempt. */
public sealed interface RecipientResult {

    /** The destination accepted the message for this recipient. */
    record Delivered() implements RecipientResult {}

    /** Final refusal; {@code reply} (an SMTP line such as {@code 550 5.1.1 No such user}) goes into the bounce. */
    record Failed(String reply) implements RecipientResult {}

    /** Try again later; {@code reason} is kept as the queue entry's last error. */
    record Deferred(String reason) implements RecipientResult {}

    RecipientResult DELIVERED = new Delivered();
}
