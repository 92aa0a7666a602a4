package io.tocsin.escalation.domain.policy;

import java.time.Duration;
import java.util.List;

import io.tocsin.events.NotificationTarget;

/**
 * One rung of an escalation ladder.
 *
 * @param after how long after the previous level (or after the incident opened, for the first) this one fires, unless
 *        the incident was acknowledged or resolved in between
 * @param targets who is notified when it fires
 */
public record Level(Duration after, List<NotificationTarget> targets) {

    public Level {
        targets = List.copyOf(targets);
    }
}
