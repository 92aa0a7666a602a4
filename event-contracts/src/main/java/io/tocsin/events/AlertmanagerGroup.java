package io.tocsin.events;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The group-level fields of the Alertmanager webhook notification an alert arrived in, kept verbatim so that consumers
 * can reason about Alertmanager's own grouping (and so that nothing the sender said is lost).
 *
 * @param version the webhook payload version ({@code "4"})
 * @param groupKey Alertmanager's aggregation group key, {@code <route key>:<group labels>}
 * @param receiver the Alertmanager receiver name
 * @param status {@code firing} if any alert of the notification fired, else {@code resolved}
 * @param groupLabels the labels the route groups by
 * @param commonLabels labels shared by every alert of the notification
 * @param commonAnnotations annotations shared by every alert of the notification
 * @param externalUrl Alertmanager's external URL
 * @param truncatedAlerts how many alerts {@code max_alerts} left out of the notification
 * @param notificationReason why Alertmanager sent it (v0.32+), {@code null} when the sender did not say
 * @param routeLabels labels set on the route (v0.34+), empty when the sender did not send them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertmanagerGroup(
        String version,
        String groupKey,
        String receiver,
        AlertStatus status,
        Map<String, String> groupLabels,
        Map<String, String> commonLabels,
        Map<String, String> commonAnnotations,
        String externalUrl,
        int truncatedAlerts,
        String notificationReason,
        Map<String, String> routeLabels) {

    public AlertmanagerGroup {
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
        commonLabels = commonLabels == null ? Map.of() : Map.copyOf(commonLabels);
        commonAnnotations = commonAnnotations == null ? Map.of() : Map.copyOf(commonAnnotations);
        routeLabels = routeLabels == null ? Map.of() : Map.copyOf(routeLabels);
    }
}
