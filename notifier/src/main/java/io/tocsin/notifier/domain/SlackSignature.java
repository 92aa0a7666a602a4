package io.tocsin.notifier.domain;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's v0 request signature: {@code v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body))},
 * accepted only within five minutes of now in either direction and compared in constant time.
 */
public final class SlackSignature {

    /** How far a request's timestamp may be from now. */
    public static final Duration WINDOW = Duration.ofMinutes(5);

    /** Why a request was refused, in words safe to return to the caller. */
    public enum Verdict {
        VALID(null),
        MISSING("X-Slack-Request-Timestamp and X-Slack-Signature are required"),
        STALE("X-Slack-Request-Timestamp is more than 5 minutes from now"),
        MISMATCH("X-Slack-Signature does not match the body");

        private final String problem;

        Verdict(String problem) {
            this.problem = problem;
        }

        public String problem() {
            return problem;
        }
    }

    private final byte[] secret;

    public SlackSignature(String signingSecret) {
        this.secret = signingSecret.getBytes(StandardCharsets.UTF_8);
    }

    public Verdict verify(String timestamp, String signature, byte[] rawBody, Instant now) {
        if (timestamp == null || signature == null || timestamp.isBlank() || signature.isBlank()) {
            return Verdict.MISSING;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Verdict.STALE;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > WINDOW.toSeconds()) {
            return Verdict.STALE;
        }
        byte[] expected = sign(timestamp.trim(), rawBody).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, signature.trim().getBytes(StandardCharsets.UTF_8)) ? Verdict.VALID
                : Verdict.MISMATCH;
    }

    /** The {@code X-Slack-Signature} value for a body sent at {@code timestamp} (unix seconds). */
    public String sign(String timestamp, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }
}
