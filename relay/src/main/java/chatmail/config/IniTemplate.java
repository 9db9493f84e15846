package chatmail.config;

/**
 * The commented {@code chatmail.ini} that {@code chatmail init} writes: every key with its
 * default and one line saying what it means. Loading it gives exactly the defaults for the domain.
 */
public final class IniTemplate {
    private IniTemplate() {}

    /** @throws ConfigException when the domain is not a usable mail_domain */
    public static String render(String mailDomain) throws ConfigException {
        String domain = ConfigValues.mailDomain(new IniEntry("mail_domain", mailDomain, 1));
        StringBuilder out = new StringBuilder();
        out.append("# chatmail relay configuration. Every key is listed with its default;\n");
        out.append("# an empty value means the default. Keys: docs/configuration.md\n\n");
        out.append('[').append(ConfigLoader.SECTION).append("]\n");
        for (ConfigKey key : ConfigKey.values()) {
            out.append("\n# ").append(key.meaning()).append('\n');
            String value = key == ConfigKey.MAIL_DOMAIN ? domain : key.defaultText();
            out.append(key.iniName()).append(" =");
            if (!value.isEmpty()) out.append(' ').append(value);
            out.append('\n');
        }
        return out.toString();
    }
}
