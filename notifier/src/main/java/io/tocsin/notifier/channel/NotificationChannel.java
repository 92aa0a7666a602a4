package io.tocsin.notifier.channel;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationTarget;

/** One kind of destination: Slack, PagerDuty, e-mail or webhooks. The dispatcher owns retries, pacing and breakers. */
public interface NotificationChannel {

    NotificationTarget.Channel kind();

    /** Why {@code target} cannot be sent to (the channel or the address is not configured); null when it can. */
    String notConfigured(NotificationTarget target);

    /** The destination {@code target} shares a circuit breaker with, such as a webhook's host. */
    String destination(NotificationTarget target);

    /** Sends one delivery. Emits how it ended; it does not fail, a failure is a {@link SendResult} too. */
    Uni<SendResult> send(Delivery delivery);
}
