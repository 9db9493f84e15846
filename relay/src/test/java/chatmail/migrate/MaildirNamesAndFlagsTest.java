package chatmail.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MaildirNamesAndFlagsTest {

    @Test
    void aCurFileNameCarriesBaseSizesAndFlags() throws ReferenceFormatException {
        MaildirFileName name = MaildirFileName.parse("1796559466.M326803P30202.vm,S=156,W=165:2,FRa");
        assertThat(name.baseName()).isEqualTo("1796559466.M326803P30202.vm,S=156,W=165");
        assertThat(name.flags()).isEqualTo("FRa");
        assertThat(name.size()).isEqualTo(OptionalLong.of(156));
        assertThat(name.virtualSize()).isEqualTo(OptionalLong.of(165));
        assertThat(name.toFileName()).isEqualTo("1796559466.M326803P30202.vm,S=156,W=165:2,FRa");
    }

    @Test
    void aNewFileHasNoFlagsAndOtherInfoCarriesNone() throws ReferenceFormatException {
        MaildirFileName fresh = MaildirFileName.parse("1796559466.M1P2.vm");
        assertThat(fresh.flags()).isEmpty();
        assertThat(fresh.size()).isEmpty();
        assertThat(MaildirFileName.parse("x.host:1,experimental").flags()).isEmpty();
        assertThat(MaildirFileName.parse("x.host:2,").flags()).isEmpty();
    }

    @Test
    void namesNoMaildirWouldHoldAreRefused() {
        for (String bad : new String[] {"", ":2,S", ".hidden", "a/b", "a\nb"}) {
            assertThatThrownBy(() -> MaildirFileName.parse(bad)).as(bad).isInstanceOf(ReferenceFormatException.class);
        }
    }

    @Test
    void flagLettersBecomeImapFlagsAsDovecotReadsThem() {
        DovecotKeywords keywords = DovecotKeywords.parse("0 $Label1\n1 $MDNSent\n3 bad(keyword\nx y\n27 z\n");
        assertThat(keywords.byIndex()).isEqualTo(Map.of(0, "$Label1", 1, "$MDNSent"));
        assertThat(MaildirFlags.toImap("DFPRSTab", keywords)).containsExactlyInAnyOrder("\\Draft", "\\Flagged",
                "\\Answered", "\\Seen", "\\Deleted", "$Label1", "$MDNSent");
        assertThat(MaildirFlags.toImap("cdXY", keywords)).as("unknown letters and keywords are ignored").isEmpty();
        assertThat(MaildirFlags.toImap("", DovecotKeywords.none())).isEmpty();
    }
}
