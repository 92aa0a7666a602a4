package io.tocsin.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlackTargetTest {

    @Test
    void aChannelThenMentions() {
        SlackTarget target = SlackTarget.parse("  #db-oncall <!subteam^S0123ABC> <@U024BE7LH> @here ");
        assertThat(target.channel()).isEqualTo("#db-oncall");
        assertThat(target.mentionLine()).isEqualTo("<!subteam^S0123ABC> <@U024BE7LH> <!here>");
        assertThat(SlackTarget.parse("C0123ABC").mentions()).isEmpty();
    }

    @Test
    void problemsNameThePart() {
        assertThatThrownBy(() -> SlackTarget.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SlackTarget.parse("db-oncall")).hasMessageContaining("\"db-oncall\" is not a Slack channel");
        assertThatThrownBy(() -> SlackTarget.parse("#ops @sre-team"))
                .hasMessageContaining("\"@sre-team\" is not a Slack mention");
    }
}
