package io.tocsin.escalation.persistence;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.tocsin.outbox.UrgentKeys;

/**
 * The outbox rows of unresolved P0 and P1 incidents are published first: during a storm, a new P0's opening and its
 * first notification requests overtake thousands of P3 alert attachments waiting in the outbox (issue "Storms").
 * Outbox rows of incident events are keyed by the incident's id.
 */
@ApplicationScoped
@Unremovable
public class UrgentIncidents implements UrgentKeys {

    @Override
    public String query() {
        return "select cast(i.id as String) from IncidentRecord i where i.state <> 'resolved'"
                + " and i.priority in ('P0', 'P1')";
    }
}
