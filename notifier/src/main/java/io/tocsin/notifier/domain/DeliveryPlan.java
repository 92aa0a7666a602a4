package io.tocsin.notifier.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.NotificationWithheld;
import io.tocsin.events.UnknownIncidentEvent;

/**
 * Decides what an incident event sends, and to whom. A {@code notification.requested} pages its target and subscribes
 * it to the incident; every later event goes to the incident's subscribers as each channel expects: a thread reply in
 * Slack, acknowledge and resolve to PagerDuty, a resolution e-mail, every lifecycle event to a webhook.
 */
public final class DeliveryPlan {

    /** One thing to send. {@code subscribes}: the target hears about the incident from now on. */
    public record Step(NotificationTarget target, DeliveryAction action, boolean subscribes) {
    }

    private final ThreadReplies replies;

    public DeliveryPlan(ThreadReplies replies) {
        this.replies = replies;
    }

    /** The steps for {@code event}, given the targets already subscribed to its incident. */
    public List<Step> steps(IncidentEvent event, Collection<NotificationTarget> subscribed) {
        if (event instanceof NotificationRequested requested) {
            // Stored addresses are never null: an unset one is "".
            NotificationTarget target = new NotificationTarget(requested.target().channel(),
                    requested.target().address() == null ? "" : requested.target().address());
            return List.of(page(target, subscribed.contains(target)));
        }
        if (event instanceof NotificationWithheld || event instanceof UnknownIncidentEvent) {
            return List.of();
        }
        List<Step> steps = new ArrayList<>();
        for (NotificationTarget target : subscribed) {
            DeliveryAction action = follow(event, target.channel());
            if (action != null) {
                steps.add(new Step(target, action, false));
            }
        }
        return steps;
    }

    private static Step page(NotificationTarget target, boolean alreadySubscribed) {
        DeliveryAction action = switch (target.channel()) {
            case SLACK -> alreadySubscribed ? DeliveryAction.SLACK_REPLY : DeliveryAction.SLACK_POST;
            case PAGERDUTY -> DeliveryAction.PAGERDUTY_TRIGGER;
            case EMAIL -> DeliveryAction.EMAIL_SEND;
            case WEBHOOK -> DeliveryAction.WEBHOOK_POST;
            case UNKNOWN -> DeliveryAction.UNSUPPORTED;
        };
        return new Step(target, action, !alreadySubscribed && action != DeliveryAction.UNSUPPORTED);
    }

    private DeliveryAction follow(IncidentEvent event, NotificationTarget.Channel channel) {
        return switch (channel) {
            case SLACK -> replies.replyTo(event) ? DeliveryAction.SLACK_REPLY : null;
            case PAGERDUTY -> {
                // A snooze holds the incident acknowledged: PagerDuty must stop paging too.
                if (event instanceof IncidentAcknowledged || event instanceof IncidentSnoozed) {
                    yield DeliveryAction.PAGERDUTY_ACKNOWLEDGE;
                }
                if (event instanceof IncidentResolved) {
                    yield DeliveryAction.PAGERDUTY_RESOLVE;
                }
                yield event instanceof IncidentReopened ? DeliveryAction.PAGERDUTY_TRIGGER : null;
            }
            case EMAIL -> event instanceof IncidentResolved ? DeliveryAction.EMAIL_SEND : null;
            case WEBHOOK -> event instanceof AlertAttached || event instanceof AlertsAttached
                    || event instanceof AlertResolved ? null
                            : DeliveryAction.WEBHOOK_POST;
            case UNKNOWN -> null;
        };
    }
}
