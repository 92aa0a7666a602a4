package io.tocsin.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SlackTextTest {

    @Test
    void controlSequencesAreEscapedSoNothingMentionsOrLinks() {
        String escaped = SlackText.escape("<!channel> <@U123> <https://evil.example|click> a & b");
        assertThat(escaped).doesNotContain("<").doesNotContain(">")
                .contains("&lt;!channel&gt;").contains("a &amp; b");
    }

    @Test
    void atWordsAndFormattingShowAsTyped() {
        String escaped = SlackText.escape("@here *bold* _it_ ~s~ `c` #general");
        assertThat(escaped).doesNotContain("@here").doesNotContain("*bold*").doesNotContain("#general");
        assertThat(escaped.replace("\u200B", "")).isEqualTo("@here *bold* _it_ ~s~ `c` #general");
    }

    @Test
    void longTextIsCut() {
        assertThat(SlackText.escape("x".repeat(50), 10)).isEqualTo("x".repeat(9) + "…");
        assertThat(SlackText.escape(null)).isEmpty();
    }

    @Test
    void onlyPlainHttpLinksAreLinkedAndCannotBreakOut() {
        assertThat(SlackText.link("https://runbooks.example.com/a?b=1&c=2", "Runbook"))
                .isEqualTo("<https://runbooks.example.com/a?b=1&amp;c=2|Runbook>");
        assertThat(SlackText.link("https://x.example/a|<!channel>", "R")).isEqualTo("<https://x.example/a%7C%3C!channel%3E|R>");
        for (String bad : List.of("javascript:alert(1)", "slack://open", "https://a b", "ftp://x")) {
            assertThat(SlackText.link(bad, "x")).as(bad).isNull();
        }
        assertThat(SlackText.link(null, "x")).isNull();
    }
}
