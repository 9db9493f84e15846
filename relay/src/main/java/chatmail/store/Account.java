package chatmail.store;

import java.time.LocalDate;

/** A stored account. Last login is kept by day only (SPEC ACC-6). */
public record Account(long id, String address, String passwordHash, LocalDate created, LocalDate lastLogin) {}
