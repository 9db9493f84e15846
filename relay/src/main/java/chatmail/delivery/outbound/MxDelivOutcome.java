package chatmail.delivery.outbound;

/** How one {@code POST /mxdeliv} ended, sorted as DLV-2 says. */
public sealed interface MxDelivOutcome {

    /** 2xx: delivered to every recipient of the request. */
    record Delivered() implements MxDelivOutcome {}

    /**
     * 400 with an SMTP 5xx line: final.
     *
     * @param recipient the recipient the line names, or null when it names none (then final for all)
     */
    record Refused(String reply, String recipient) implements MxDelivOutcome {}

    /** 400 with a 4xx line, or 503: queue and try again later. */
    record Temporary(String reason) implements MxDelivOutcome {}

    /** Anything else (no listener, TLS failure, 404, 405, …): the host has no /mxdeliv; use SMTP. */
    record NotAvailable(String reason) implements MxDelivOutcome {}
}
