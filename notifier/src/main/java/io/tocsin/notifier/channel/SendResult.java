package io.tocsin.notifier.channel;

import java.time.Duration;

/** How one attempt to send ended. */
public sealed interface SendResult {

    /** For people: what happened. */
    String detail();

    /** The destination took it. A Slack root post also says where the message now is. */
    record Delivered(String detail, String channelId, String ts) implements SendResult {
        public static Delivered of(String detail) {
            return new Delivered(detail, null, null);
        }
    }

    /**
     * It failed in a way that may pass: 5xx, a timeout, a refused connection, or a 429.
     *
     * @param delay how long the destination asked to wait (429's Retry-After); null to back off as usual
     * @param rateLimited a 429: the destination is healthy, so it does not count towards its circuit breaker
     */
    record Retry(String detail, Duration delay, boolean rateLimited) implements SendResult {
        public static Retry of(String detail) {
            return new Retry(detail, null, false);
        }
    }

    /** It failed for good (a 4xx, an error Slack says is final): retrying would only repeat it. */
    record Failed(String detail) implements SendResult {
    }

    /** Nothing was sent: the channel or the target is not configured. */
    record NotSent(String detail) implements SendResult {
    }
}
