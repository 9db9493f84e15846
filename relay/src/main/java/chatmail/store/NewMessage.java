package chatmail.store;

import java.time.Instant;

/** A message about to be stored: its raw bytes and the time it arrived. */
public record NewMessage(byte[] content, Instant internalDate) {}
