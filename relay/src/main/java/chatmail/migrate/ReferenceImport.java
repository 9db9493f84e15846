package chatmail.migrate;

import chatmail.account.AddressRules;
import chatmail.config.Config;
import chatmail.imap.DeviceTokens;
import chatmail.spool.BodySpool;
import chatmail.spool.SpoolWriter;
import chatmail.spool.SpooledBody;
import chatmail.store.Account;
import chatmail.store.ImportedMessage;
import chatmail.store.Mailbox;
import chatmail.store.MailStore;
import chatmail.store.MessageInfo;
import chatmail.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code chatmail import-reference} (SPEC MIG-1): walks a reference relay's mailboxes directory
 * and writes every account, device token, mailbox and message through the {@link MailStore}
 * interface, so it serves every backend. UIDVALIDITY, UIDs and UIDNEXT stay as Dovecot had them,
 * so a Delta Chat profile neither misses nor downloads a message twice. Running it again adds only
 * what is new; the source is only read. Several accounts are imported at once, so the store's
 * group commit shares its syncs among them.
 */
public final class ReferenceImport {
    static final String PASSWORD = "password";
    static final String METADATA = "metadata.json";
    private static final String INBOX = "INBOX";
    private static final int BATCH_MESSAGES = 100;
    private static final long BATCH_BYTES = 16L << 20;
    private static final int MAX_SMALL_FILE = 1 << 20;
    /** chatmaild drops a token whose time lies more than this in the future. */
    private static final Duration FUTURE_SLACK = Duration.ofSeconds(60);

    private final Config config;
    private final AddressRules rules;
    private final MailStore store;
    private final BodySpool spool;
    private final Clock clock;
    private final int parallelism;
    private final Duration progressInterval;
    private final ImportReport report = new ImportReport();

    private ReferenceImport(Config config, MailStore store, BodySpool spool, Clock clock, int parallelism,
                            Duration progressInterval) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.config = config;
        this.rules = new AddressRules(config);
        this.store = store;
        this.spool = spool;
        this.clock = clock;
        this.parallelism = parallelism;
        this.progressInterval = progressInterval;
    }

    /** An import into {@code store}; large bodies pass through {@code spool} (data_dir/tmp). */
    public static ReferenceImport into(Config config, MailStore store, BodySpool spool, Clock clock, int parallelism,
                                       Duration progressInterval) {
        return new ReferenceImport(config, store, spool, clock, parallelism, progressInterval);
    }

    /** Reads and checks everything, writes nothing. */
    public static ReferenceImport dryRun(Config config, Clock clock, int parallelism, Duration progressInterval) {
        return new ReferenceImport(config, null, null, clock, parallelism, progressInterval);
    }

    private boolean dryRun() {
        return store == null;
    }

    /**
     * Imports every account folder under {@code mailboxes}, printing progress and the summary to
     * {@code out}.
     *
     * @throws StoreException when this relay's store fails: the import stops, and a second run
     *     continues where it left off
     */
    @SuppressWarnings("try") // the progress printer runs for the block, not used in it
    public ImportReport run(Path mailboxes, PrintWriter out) throws IOException {
        Instant start = clock.instant();
        long t0 = System.nanoTime();
        List<Path> folders = accountFolders(mailboxes);
        out.printf("import-reference: %d account folders in %s%s%n", folders.size(), mailboxes,
                dryRun() ? " (dry run: nothing is written)" : "");
        out.flush();
        AtomicReference<RuntimeException> fatal = new AtomicReference<>();
        Semaphore slots = new Semaphore(parallelism);
        try (ImportProgress progress = new ImportProgress(out, report, folders.size(), progressInterval);
                ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Path folder : folders) {
                slots.acquireUninterruptibly();
                if (fatal.get() != null) {
                    slots.release();
                    break;
                }
                workers.submit(() -> {
                    try {
                        account(folder, start);
                    } catch (IOException e) {
                        report.damaged(folder.toString(), "cannot read: " + e.getMessage());
                    } catch (RuntimeException e) {
                        fatal.compareAndSet(null, e);
                    } finally {
                        report.accountsSeen.incrementAndGet();
                        slots.release();
                    }
                });
            }
        }
        if (fatal.get() != null) {
            throw fatal.get();
        }
        report.print(out, dryRun(), Duration.ofNanos(System.nanoTime() - t0));
        return report;
    }

    /** Folders named like an address; others (pending_notifications, …) are not accounts. */
    private List<Path> accountFolders(Path mailboxes) throws IOException {
        if (!Files.isDirectory(mailboxes)) {
            throw new NoSuchFileException(mailboxes.toString(), null, "not a directory");
        }
        List<Path> folders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(mailboxes)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.contains("@") || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (!rules.isLocal(name) || name.startsWith("@")) {
                    report.damaged(entry.toString(), "not an address of " + config.addressDomain() + "; skipped");
                    continue;
                }
                folders.add(entry);
            }
        }
        folders.sort(Comparator.naturalOrder());
        return folders;
    }

    private void account(Path folder, Instant start) throws IOException {
        String address = AddressRules.normalize(folder.getFileName().toString());
        Path passwordFile = folder.resolve(PASSWORD);
        String hash;
        try {
            hash = PasswordFile.parse(readSmall(passwordFile));
        } catch (NoSuchFileException absent) {
            report.damaged(folder.toString(), "no password file; account skipped");
            return;
        } catch (ReferenceFormatException e) {
            report.damaged(passwordFile.toString(), e.getMessage() + "; account skipped");
            return;
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate lastLogin = LocalDate.ofInstant(Files.getLastModifiedTime(passwordFile).toInstant(), ZoneOffset.UTC);
        if (lastLogin.isAfter(today)) {
            lastLogin = today;
        }
        List<DeviceTokenFile.DeviceToken> tokens = tokens(folder);
        List<MaildirFolder> maildirs = maildirs(folder);

        Account account = null;
        if (!dryRun()) {
            boolean existed = store.findAccount(address).isPresent();
            account = store.importAccount(address, hash, today, lastLogin);
            if (!account.passwordHash().equals(hash)) {
                report.accountsConflicting.incrementAndGet();
                report.damaged(folder.toString(), "an account with this address but another password is here already;"
                        + " skipped");
                return;
            }
            (existed ? report.accountsPresent : report.accountsImported).incrementAndGet();
        } else {
            report.accountsImported.incrementAndGet();
        }
        importTokens(account, tokens, start);
        for (MaildirFolder maildir : maildirs) {
            mailbox(account, maildir);
        }
    }

    private List<DeviceTokenFile.DeviceToken> tokens(Path folder) throws IOException {
        Path file = folder.resolve(METADATA);
        try {
            return DeviceTokenFile.parse(readSmall(file));
        } catch (NoSuchFileException absent) {
            return List.of();
        } catch (ReferenceFormatException e) {
            report.damaged(file.toString(), e.getMessage() + "; device tokens left out");
            return List.of();
        }
    }

    /**
     * Tokens in the order they were set, so the store's limit per account keeps the newest. A
     * token of the old list form counts from the start of the import; one set 90 days ago or more
     * (or in the future) is expired, as chatmaild would have found.
     */
    private void importTokens(Account account, List<DeviceTokenFile.DeviceToken> tokens, Instant start) {
        List<DeviceTokenFile.DeviceToken> sorted = new ArrayList<>(tokens);
        sorted.sort(Comparator.comparing(t -> t.setAt().orElse(start)));
        Instant now = clock.instant();
        for (DeviceTokenFile.DeviceToken token : sorted) {
            Instant setAt = token.setAt().orElse(start);
            Instant expiresAt = setAt.plus(DeviceTokens.LIFETIME);
            if (!expiresAt.isAfter(now) || setAt.isAfter(now.plus(FUTURE_SLACK))) {
                report.tokensExpired.incrementAndGet();
                continue;
            }
            if (!dryRun()) {
                store.importMetadataValue(account.id(), DeviceTokens.ENTRY, token.token(), setAt, expiresAt,
                        DeviceTokens.MAX_PER_ACCOUNT);
            }
            report.tokensImported.incrementAndGet();
        }
    }

    /** INBOX (the account folder itself) and the Maildir++ folders {@code .<name>} beside it. */
    private List<MaildirFolder> maildirs(Path folder) throws IOException {
        List<MaildirFolder> maildirs = new ArrayList<>();
        maildirs.add(readMaildir(INBOX, folder));
        List<Path> subfolders = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.length() > 1 && name.startsWith(".") && !name.equals("..")
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    subfolders.add(entry);
                }
            }
        }
        subfolders.sort(Comparator.naturalOrder());
        for (Path sub : subfolders) {
            String name = sub.getFileName().toString().substring(1);
            if (name.equalsIgnoreCase(INBOX) || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
                report.damaged(sub.toString(), "not a folder name IMAP can carry; skipped");
                continue;
            }
            maildirs.add(readMaildir(name, sub));
        }
        return maildirs;
    }

    private MaildirFolder readMaildir(String name, Path dir) throws IOException {
        MaildirFolder maildir = MaildirFolder.read(name, dir);
        for (String problem : maildir.problems()) {
            report.damaged(dir.toString(), problem);
        }
        report.filesWithoutUid.addAndGet(maildir.unlisted());
        return maildir;
    }

    private void mailbox(Account account, MaildirFolder maildir) throws IOException {
        report.mailboxes.incrementAndGet();
        if (dryRun()) {
            for (MaildirFolder.MessageFile message : maildir.messages()) {
                countBody(message);
            }
            return;
        }
        Mailbox mailbox;
        if (maildir.uidValidity() == 0) {
            // Nothing recorded a UIDVALIDITY: no client can know UIDs of this mailbox either.
            Mailbox fresh = store.createMailbox(account.id(), maildir.name());
            mailbox = store.importMailbox(account.id(), maildir.name(), fresh.uidValidity(), maildir.uidNext());
        } else {
            mailbox = store.importMailbox(account.id(), maildir.name(), maildir.uidValidity(), maildir.uidNext());
            if (mailbox.uidValidity() != maildir.uidValidity()) {
                report.mailboxesConflicting.incrementAndGet();
                report.damaged(maildir.dir().toString(), "mailbox " + maildir.name()
                        + " is here already with another UIDVALIDITY; skipped");
                return;
            }
        }
        Set<Long> present = new HashSet<>();
        for (MessageInfo info : store.snapshot(mailbox.id()).messages()) {
            present.add(info.uid());
        }
        Batch batch = new Batch(mailbox);
        try {
            for (MaildirFolder.MessageFile message : maildir.messages()) {
                if (present.contains(message.uid())) {
                    report.messagesPresent.incrementAndGet();
                    continue;
                }
                SpooledBody body;
                Instant internalDate;
                try {
                    internalDate = Files.getLastModifiedTime(message.file(), LinkOption.NOFOLLOW_LINKS).toInstant();
                    body = readBody(message.file());
                } catch (NoSuchFileException gone) {
                    report.damaged(message.file().toString(), "vanished while importing (is Dovecot still running?)");
                    continue;
                } catch (IOException | ReferenceFormatException e) {
                    report.damaged(message.file().toString(), "unreadable (" + describe(e) + "); message skipped");
                    continue;
                }
                batch.add(new ImportedMessage(message.uid(), message.flags(), internalDate, body), body);
            }
            batch.flush();
        } finally {
            batch.discard();
        }
    }

    private void countBody(MaildirFolder.MessageFile message) throws IOException {
        try (InputStream in = MessageFileContent.open(Files.newInputStream(message.file(), LinkOption.NOFOLLOW_LINKS))) {
            report.bytesImported.addAndGet(in.transferTo(OutputStream.nullOutputStream()));
            report.messagesImported.incrementAndGet();
        } catch (NoSuchFileException gone) {
            report.damaged(message.file().toString(), "vanished while reading (is Dovecot still running?)");
        } catch (IOException | ReferenceFormatException e) {
            report.damaged(message.file().toString(), "unreadable (" + describe(e) + "); message skipped");
        }
    }

    /** The message as IMAP will serve it, in memory when small, else in a spool file in data_dir/tmp. */
    private SpooledBody readBody(Path file) throws IOException, ReferenceFormatException {
        SpoolWriter writer = spool.newWriter(Long.MAX_VALUE);
        try (writer; InputStream in = MessageFileContent.open(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS))) {
            in.transferTo(writer);
            return writer.finish();
        }
    }

    private static String describe(Exception e) {
        return e instanceof ReferenceFormatException ? e.getMessage()
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Messages handed to the store together: one commit for many, bodies released after it. */
    private final class Batch {
        private final Mailbox mailbox;
        private final List<ImportedMessage> messages = new ArrayList<>();
        private final List<SpooledBody> bodies = new ArrayList<>();
        private long bytes;

        Batch(Mailbox mailbox) {
            this.mailbox = mailbox;
        }

        void add(ImportedMessage message, SpooledBody body) {
            messages.add(message);
            bodies.add(body);
            bytes += body.inMemory().isPresent() ? body.size() : 0;
            if (messages.size() >= BATCH_MESSAGES || bytes >= BATCH_BYTES) {
                flush();
            }
        }

        void flush() {
            if (messages.isEmpty()) {
                return;
            }
            List<Long> stored = store.importMessages(mailbox.id(), messages);
            Set<Long> storedSet = new HashSet<>(stored);
            for (ImportedMessage m : messages) {
                if (storedSet.contains(m.uid())) {
                    report.messagesImported.incrementAndGet();
                    report.bytesImported.addAndGet(m.content().size());
                } else {
                    report.messagesPresent.incrementAndGet();
                }
            }
            discard();
        }

        /** Deletes spool files the store did not take over. */
        void discard() {
            bodies.forEach(SpooledBody::close);
            bodies.clear();
            messages.clear();
            bytes = 0;
        }
    }

    private static byte[] readSmall(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] content = in.readNBytes(MAX_SMALL_FILE + 1);
            if (content.length > MAX_SMALL_FILE) {
                throw new IOException(file.getFileName() + " is larger than " + MAX_SMALL_FILE + " bytes");
            }
            return content;
        }
    }
}
