package chatmail.store;

/**
 * What a login needs in one read: the account and the verifier stored for it under the
 * caller's key, or null when there is none (never saved, or saved under another key).
 */
public record LoginRecord(Account account, byte[] verifier) {}
