package io.tocsin.notifier.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.tocsin.events.SlackDigestSettings;
import io.tocsin.notifier.domain.StormDigest;

/** Which settings fold an incident's first Slack message: the policy's own, within what the notifier allows. */
class DigestSettingsTest {

    private static final StormDigest NOTIFIER = new StormDigest(10, Duration.ofMinutes(2));

    @Test
    void aPolicysSettingsReplaceTheNotifiersPartByPart() {
        DigestFolding folding = new DigestFolding(NOTIFIER, null);
        assertThat(folding.effective(null)).isEqualTo(NOTIFIER);
        assertThat(folding.effective(new SlackDigestSettings(25, null)))
                .isEqualTo(new StormDigest(25, Duration.ofMinutes(2)));
        assertThat(folding.effective(new SlackDigestSettings(null, 60L)))
                .isEqualTo(new StormDigest(10, Duration.ofMinutes(1)));
        assertThat(folding.effective(new SlackDigestSettings(0, null)).enabled()).as("the policy never folds")
                .isFalse();
    }

    @Test
    void theNotifiersOffSwitchWinsAndAPolicysWindowIsNoLongerThanTheNotifiers() {
        DigestFolding off = new DigestFolding(new StormDigest(0, Duration.ofMinutes(2)), null);
        assertThat(off.effective(new SlackDigestSettings(3, null)).enabled())
                .as("with the digest off nothing would ever post it").isFalse();
        DigestFolding folding = new DigestFolding(NOTIFIER, null);
        assertThat(folding.effective(new SlackDigestSettings(25, 3600L)).window())
                .as("a storm ends on the notifier's window").isEqualTo(Duration.ofMinutes(2));
    }
}
