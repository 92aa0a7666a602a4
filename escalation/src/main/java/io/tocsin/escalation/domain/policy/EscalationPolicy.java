package io.tocsin.escalation.domain.policy;

import java.time.Duration;
import java.util.List;

import io.tocsin.events.SlackDigestSettings;

/**
 * How one kind of incident is escalated.
 *
 * @param name unique within the file; recorded on the incident
 * @param match which incidents it applies to
 * @param levels the ladder, fired in order until someone acknowledges
 * @param repeat how many more times the whole ladder runs after its last level
 * @param repeatAfter the wait after the last level before the ladder starts again
 * @param autoResolve whether the incident resolves by itself once every alert resolved
 */
public record EscalationPolicy(String name, IncidentMatcher match, List<Level> levels, int repeat, Duration repeatAfter,
        boolean autoResolve, SlackDigestSettings slackDigest) {

    public EscalationPolicy {
        levels = List.copyOf(levels);
    }

    /** A policy with no storm digest settings of its own: the notifier's defaults apply. */
    public EscalationPolicy(String name, IncidentMatcher match, List<Level> levels, int repeat, Duration repeatAfter,
            boolean autoResolve) {
        this(name, match, levels, repeat, repeatAfter, autoResolve, null);
    }
}
