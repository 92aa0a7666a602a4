package io.tocsin.notifier.channel;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.tocsin.events.NotificationTarget;

/** Every {@link NotificationChannel}, by the kind of target it serves. */
@ApplicationScoped
public class Channels {

    private final Map<NotificationTarget.Channel, NotificationChannel> byKind = new EnumMap<>(
            NotificationTarget.Channel.class);

    public Channels(Instance<NotificationChannel> channels) {
        channels.forEach(channel -> byKind.put(channel.kind(), channel));
    }

    /** The channel for {@code kind}, or null when there is none. */
    public NotificationChannel get(NotificationTarget.Channel kind) {
        return byKind.get(kind);
    }
}
