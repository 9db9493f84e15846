package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import chatmail.migrate.UidList.Entry;
import org.junit.jupiter.api.Test;

class UidListTest {
    /** As Dovecot 2.3 left it after five LMTP deliveries: lines appended, the header's N still 1. */
    static final String APPENDED = """
            3 V1796559466 N1 Gc8d0d3106a52156bf175000083ecc375
            1 G1796559466.M282317P30193.vm :1796559466.M282317P30193.vm,S=156,W=165
            2 G1796559466.M308858P30193.vm :1796559466.M308858P30193.vm,S=156,W=165
            5 G1796559466.M332421P30193.vm :1796559466.M332421P30193.vm,S=156,W=165
            """;

    @Test
    void linesAppendedAfterTheHeaderRaiseUidNext() throws ReferenceFormatException {
        UidList list = UidList.parse(APPENDED);
        assertThat(list.version()).isEqualTo(3);
        assertThat(list.uidValidity()).isEqualTo(1796559466L);
        assertThat(list.headerNextUid()).isEqualTo(1);
        assertThat(list.uidNext()).isEqualTo(6);
        assertThat(list.entries()).containsExactly(new Entry(1, "1796559466.M282317P30193.vm,S=156,W=165"),
                new Entry(2, "1796559466.M308858P30193.vm,S=156,W=165"),
                new Entry(5, "1796559466.M332421P30193.vm,S=156,W=165"));
        assertThat(list.lineProblems()).isEmpty();
    }

    @Test
    void aRewrittenEmptyListKeepsItsCounterInTheHeader() throws ReferenceFormatException {
        UidList list = UidList.parse("3 V1796559466 N6 Gc8d0d3106a52156bf175000083ecc375\n");
        assertThat(list.entries()).isEmpty();
        assertThat(list.uidNext()).isEqualTo(6);
    }

    @Test
    void fileNamesWithFlagsAndVersionOneAreRead() throws ReferenceFormatException {
        UidList v3 = UidList.parse("3 V7 N3\n1 :a.host:2,S\n2 W100 :b.host\n");
        assertThat(v3.entries()).containsExactly(new Entry(1, "a.host"), new Entry(2, "b.host"));
        UidList v1 = UidList.parse("1 42 10\n3 c.host:2,FS\n4 d.host\n");
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.uidValidity()).isEqualTo(42);
        assertThat(v1.uidNext()).isEqualTo(10);
        assertThat(v1.entries()).containsExactly(new Entry(3, "c.host"), new Entry(4, "d.host"));
    }

    @Test
    void badLinesAreReportedAndLeftOut() throws ReferenceFormatException {
        UidList list = UidList.parse("3 V7 N3\n1 :a\nx :b\n3 no-colon\n1 :c\n4 :.hidden\n5 :e\n");
        assertThat(list.entries()).containsExactly(new Entry(1, "a"), new Entry(5, "e"));
        assertThat(list.lineProblems()).containsExactly("line 3: UID is not a number",
                "line 4: no ':' before the file name", "line 5: UID does not ascend",
                "line 6: not a maildir file name");
        assertThat(list.uidNext()).isEqualTo(6);
    }

    @Test
    void aBrokenHeaderMakesTheFileUnusable() {
        for (String bad : new String[] {"", "2 V1 N1\n", "3 N1\n", "3 V0 N1\n", "3 V1\n", "3 Vx N1\n",
                "3 V4294967296 N1\n", "3 V1 N4294967297\n", "3  V1 N1\n", "1 1\n"}) {
            assertThatThrownBy(() -> UidList.parse(bad)).as(bad).isInstanceOf(ReferenceFormatException.class);
        }
    }

    @Test
    void toTextParsesBackToTheSameList() throws ReferenceFormatException {
        UidList list = UidList.parse(APPENDED);
        UidList again = UidList.parse(list.toText());
        assertThat(again.uidValidity()).isEqualTo(list.uidValidity());
        assertThat(again.headerNextUid()).isEqualTo(list.headerNextUid());
        assertThat(again.entries()).isEqualTo(list.entries());
    }
}
