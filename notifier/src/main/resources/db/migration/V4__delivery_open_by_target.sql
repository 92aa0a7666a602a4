-- The claim leaves out a delivery while an older one to the same (incident, channel, address) is pending or being
-- sent (NOT EXISTS): this index answers that for each candidate without reading finished rows.
CREATE INDEX delivery_open_by_target ON delivery (incident_id, channel, address, id)
    WHERE status IN ('pending', 'sending');
