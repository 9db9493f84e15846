package chatmail.turn.protocol;

/**
 * The numbers of STUN (RFC 8489) and TURN (RFC 8656): methods, classes and the message type
 * that packs both into 14 bits.
 */
public final class Stun {
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER_LENGTH = 20;
    public static final int TRANSACTION_ID_LENGTH = 12;

    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    public static final int REQUEST = 0;
    public static final int INDICATION = 1;
    public static final int SUCCESS = 2;
    public static final int ERROR = 3;

    /** A Send indication's type, checked on the relay path without parsing. */
    public static final int SEND_INDICATION = type(SEND, INDICATION);
    public static final int DATA_INDICATION = type(DATA, INDICATION);

    private Stun() {}

    /** The 14-bit message type: method bits M0-M11 interleaved with class bits C0 and C1. */
    public static int type(int method, int messageClass) {
        return ((method & 0xF80) << 2) | ((method & 0x070) << 1) | (method & 0x00F)
                | ((messageClass & 0x2) << 7) | ((messageClass & 0x1) << 4);
    }

    public static int method(int type) {
        return ((type & 0x3E00) >> 2) | ((type & 0x00E0) >> 1) | (type & 0x000F);
    }

    public static int messageClass(int type) {
        return ((type & 0x0100) >> 7) | ((type & 0x0010) >> 4);
    }
}
