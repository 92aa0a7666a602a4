package io.tocsin.notifier.service;

import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;

/**
 * A claimed delivery on its way out: marked {@code sending}, with what its result needs to be recorded.
 *
 * @param destination the circuit breaker's key
 * @param paceKey the Slack channel it paces, or null
 */
record Claimed(long id, Delivery delivery, NotificationChannel channel, String destination, String paceKey,
        long startedNanos) {
}
