package io.tocsin.notifier.channel;

import io.tocsin.events.IncidentEvent;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.IncidentSnapshot;

/**
 * One delivery attempt, with everything a channel needs to render it.
 *
 * @param key the delivery's idempotency key, unique per (event, target, action)
 * @param event the incident event it is about
 * @param eventJson the same event as it travelled, for webhooks
 * @param attempt 1 for the first attempt
 * @param rootChannelId Slack: the channel id of the incident's root message, once posted
 * @param rootTs Slack: the root message's ts, once posted
 */
public record Delivery(String key, DeliveryAction action, NotificationTarget target, IncidentSnapshot incident,
        IncidentEvent event, String eventJson, int attempt, String rootChannelId, String rootTs) {
}
