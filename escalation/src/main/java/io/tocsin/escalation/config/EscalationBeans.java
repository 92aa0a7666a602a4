package io.tocsin.escalation.config;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;
import io.tocsin.escalation.domain.Grouping;
import io.tocsin.escalation.domain.PriorityRules;

/** Wires the framework-free pieces of escalation from its configuration. */
@ApplicationScoped
public class EscalationBeans {

    /** The clock every decision is made with; tests replace it to fast-forward time. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    Grouping grouping(EscalationConfig config) {
        return new Grouping(config.groupBy());
    }

    @Produces
    @Singleton
    PriorityRules priorityRules() {
        return new PriorityRules();
    }
}
