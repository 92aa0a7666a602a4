package io.tocsin.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An escalation policy's own storm digest settings (its {@code digest:} in the policy file), carried on the
 * {@link NotificationRequested} it causes so that the notifier folds that incident's first Slack message by them
 * rather than by its defaults.
 *
 * @param threshold new incidents for one Slack channel within the window beyond which this policy's P2 and P3
 *        incidents are folded into the channel's digest; 0: never folded; {@code null}: the notifier's default
 * @param windowSeconds the window of the count, in seconds; {@code null}: the notifier's default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record SlackDigestSettings(Integer threshold, Long windowSeconds) {
}
