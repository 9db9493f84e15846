package chatmail.imap.protocol;

/** One data item of FETCH. Macros (ALL, FAST, FULL) are expanded by the parser. */
public sealed interface FetchItem {

    /** Wire form of the item as requested, without partial ranges for body sections. */
    String name();

    record Uid() implements FetchItem {
        public String name() {
            return "UID";
        }
    }

    record Flags() implements FetchItem {
        public String name() {
            return "FLAGS";
        }
    }

    record InternalDate() implements FetchItem {
        public String name() {
            return "INTERNALDATE";
        }
    }

    record Rfc822Size() implements FetchItem {
        public String name() {
            return "RFC822.SIZE";
        }
    }

    record Envelope() implements FetchItem {
        public String name() {
            return "ENVELOPE";
        }
    }

    /** BODYSTRUCTURE, or BODY without a section (the non-extensible form). */
    record BodyStructure(boolean extensible) implements FetchItem {
        public String name() {
            return extensible ? "BODYSTRUCTURE" : "BODY";
        }
    }

    record ModSeq() implements FetchItem {
        public String name() {
            return "MODSEQ";
        }
    }

    /** RFC822 (= BODY[]), RFC822.HEADER (= BODY.PEEK[HEADER]) and RFC822.TEXT (= BODY[TEXT]). */
    record Rfc822(Section.Kind kind) implements FetchItem {
        public Rfc822 {
            if (kind != Section.Kind.ALL && kind != Section.Kind.HEADER && kind != Section.Kind.TEXT) {
                throw new IllegalArgumentException("RFC822 has no " + kind);
            }
        }

        public String name() {
            return switch (kind) {
                case ALL -> "RFC822";
                case HEADER -> "RFC822.HEADER";
                default -> "RFC822.TEXT";
            };
        }

        /** RFC822.HEADER does not set \Seen. */
        public boolean setsSeen() {
            return kind != Section.Kind.HEADER;
        }
    }

    /**
     * {@code BODY[section]<origin.count>} or {@code BODY.PEEK[...]}; {@code partialOrigin} is -1
     * when no range was given.
     */
    record Body(boolean peek, Section section, long partialOrigin, long partialCount) implements FetchItem {
        public Body {
            if (partialOrigin < -1 || (partialOrigin >= 0 && partialCount < 0)) {
                throw new IllegalArgumentException("bad partial range");
            }
        }

        public boolean partial() {
            return partialOrigin >= 0;
        }

        public String name() {
            return (peek ? "BODY.PEEK[" : "BODY[") + section.spec() + "]"
                    + (partial() ? "<" + partialOrigin + "." + partialCount + ">" : "");
        }

        /** How the response names this item: never PEEK, the range shows only its origin. */
        public String responseName() {
            return "BODY[" + section.spec() + "]" + (partial() ? "<" + partialOrigin + ">" : "");
        }
    }
}
