package chatmail.web;

import chatmail.config.Config;

/** The invitation URLs of a relay (WEB-1, ACC-4). */
final class Invite {

    private Invite() {}

    /** Where Delta Chat asks for a new account. */
    static String newAccountUrl(Config config) {
        return "https://" + config.mailDomain() + "/new";
    }

    /** The link a phone's browser hands to Delta Chat. */
    static String accountLink(Config config) {
        return "dcaccount:" + newAccountUrl(config);
    }

    /** The QR code text, upper-case scheme as Delta Chat's own QR codes use. */
    static String accountQrText(Config config) {
        return "DCACCOUNT:" + newAccountUrl(config);
    }
}
