package chatmail.policy;

/** Which way a message travels, which decides the ENC-3 column that applies. */
public enum Direction {
    /** Submitted by a local user (ports 465/587), to a remote or a local recipient. */
    OUTGOING_OR_LOCAL,
    /** Arriving from another relay (port 25 or POST /mxdeliv). */
    INCOMING
}
