package io.tocsin.notifier.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;
import io.tocsin.notifier.domain.Backoff;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.domain.DeliveryPlan;
import io.tocsin.notifier.domain.StormDigest;
import io.tocsin.notifier.domain.ThreadReplies;

/** Wires the framework-free pieces of the notifier from its configuration. */
@ApplicationScoped
public class NotifierBeans {

    /** The clock every decision is made with; tests replace it to fast-forward time. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    DeliveryPlan deliveryPlan(NotifierConfig config) {
        return new DeliveryPlan(ThreadReplies.parse(config.slack().threadReplies()));
    }

    @Produces
    @Singleton
    Backoff backoff(NotifierConfig config) {
        return new Backoff(config.delivery().firstBackoff(), config.delivery().maxBackoff());
    }

    @Produces
    @Singleton
    CircuitBreakers circuitBreakers(NotifierConfig config) {
        return new CircuitBreakers(config.delivery().breakerThreshold(), config.delivery().breakerOpenFor());
    }

    @Produces
    @Singleton
    ChannelPacer slackPacer(NotifierConfig config) {
        return new ChannelPacer(config.slack().channelInterval());
    }

    @Produces
    @Singleton
    StormDigest stormDigest(NotifierConfig config) {
        return new StormDigest(config.slack().digest().threshold(), config.slack().digest().window());
    }
}
