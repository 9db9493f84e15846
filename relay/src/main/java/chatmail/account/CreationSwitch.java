package chatmail.account;

/**
 * The operator's switch for account creation (ACC-5), set with {@code chatmail accounts creation
 * off|on}: on one node the {@code data_dir/nocreate} file ({@link NocreateFile}), on a relay of
 * several nodes a row in the shared database that every node reads ({@link SharedCreationSwitch},
 * SCALE-2). Logins of existing accounts are never affected.
 */
public interface CreationSwitch extends AutoCloseable {

    /** True while account creation is switched off. */
    boolean off();

    void set(boolean off);

    /** Where the switch is, for the operator. */
    String where();

    @Override
    default void close() {
    }
}
