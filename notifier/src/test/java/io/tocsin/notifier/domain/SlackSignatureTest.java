package io.tocsin.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class SlackSignatureTest {

    /** Slack's own published example (WIRE-CONTRACTS.md 3.2). */
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String TIMESTAMP = "1531420618";
    private static final byte[] BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
            + "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
            + "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
            + "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
            .getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static final Instant THEN = Instant.ofEpochSecond(1531420618);

    private final SlackSignature slack = new SlackSignature(SECRET);

    @Test
    void slacksPublishedExampleVerifies() {
        assertThat(slack.sign(TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
        assertThat(slack.verify(TIMESTAMP, SIGNATURE, BODY, THEN)).isEqualTo(SlackSignature.Verdict.VALID);
    }

    @Test
    void anotherTimestampOrBodyOrSecretFails() {
        assertThat(slack.verify("1531420619", SIGNATURE, BODY, THEN)).isEqualTo(SlackSignature.Verdict.MISMATCH);
        byte[] changed = BODY.clone();
        changed[0] = 'T';
        assertThat(slack.verify(TIMESTAMP, SIGNATURE, changed, THEN)).isEqualTo(SlackSignature.Verdict.MISMATCH);
        assertThat(new SlackSignature(SECRET + "x").verify(TIMESTAMP, SIGNATURE, BODY, THEN))
                .isEqualTo(SlackSignature.Verdict.MISMATCH);
    }

    @Test
    void theWindowIsFiveMinutesEitherWay() {
        assertThat(slack.verify(TIMESTAMP, SIGNATURE, BODY, THEN.plusSeconds(300)))
                .isEqualTo(SlackSignature.Verdict.VALID);
        assertThat(slack.verify(TIMESTAMP, SIGNATURE, BODY, THEN.plusSeconds(301)))
                .isEqualTo(SlackSignature.Verdict.STALE);
        assertThat(slack.verify(TIMESTAMP, SIGNATURE, BODY, THEN.minusSeconds(301)))
                .isEqualTo(SlackSignature.Verdict.STALE);
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        assertThat(slack.verify(null, SIGNATURE, BODY, THEN)).isEqualTo(SlackSignature.Verdict.MISSING);
        assertThat(slack.verify(TIMESTAMP, " ", BODY, THEN)).isEqualTo(SlackSignature.Verdict.MISSING);
        assertThat(slack.verify("yesterday", SIGNATURE, BODY, THEN)).isEqualTo(SlackSignature.Verdict.STALE);
    }
}
