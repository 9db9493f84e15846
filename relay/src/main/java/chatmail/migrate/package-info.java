/**
 * Moving a reference chatmail relay (Postfix + Dovecot + chatmaild) here (SPEC MIG-1): pure
 * readers for the files it leaves on disk ({@link chatmail.migrate.PasswordFile},
 * {@link chatmail.migrate.DeviceTokenFile}, {@link chatmail.migrate.UidList},
 * {@link chatmail.migrate.MaildirFileName}, {@link chatmail.migrate.DovecotKeywords},
 * {@link chatmail.migrate.DovecotIndexLog}, {@link chatmail.migrate.MessageFileContent}),
 * separate from the driver that walks a tree and writes through the store interface
 * ({@link chatmail.migrate.ReferenceImport}).
 */
package chatmail.migrate;
