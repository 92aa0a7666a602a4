package io.tocsin.notifier.api;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.RunbookCommand;
import io.tocsin.notifier.channel.slack.SlackMessages;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.Actors;
import io.tocsin.notifier.domain.SlackSignature;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.IncidentViewRecord;

/**
 * Slack's interactivity Request URL: button presses on incident messages. The v0 signature is checked over the raw
 * body first (401 otherwise); a press becomes an {@link IncidentCommand} on {@code tocsin.commands.v1}, or for a
 * runbook approval's Approve or Deny a {@link RunbookCommand} on {@code tocsin.runbook-commands.v1}, and the 200 goes
 * back once Kafka has it, well inside Slack's 3 seconds. Escalation applies an incident command and the root message is
 * updated from the event that follows; an approval's buttons are replaced at once by who answered. A press on an
 * unknown incident or action gets an ephemeral reply, not an error.
 */
@Path("/slack/interactions")
public class SlackInteractionResource {

    private static final Logger LOG = Logger.getLogger(SlackInteractionResource.class);
    private static final Duration KAFKA_WAIT = Duration.ofMillis(2500);

    private final SlackSignature signature;
    private final MutinyEmitter<IncidentCommand> commands;
    private final MutinyEmitter<RunbookCommand> runbookCommands;
    private final Mutiny.SessionFactory sessions;
    private final NotifierConfig config;
    private final NotifierMetrics metrics;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public SlackInteractionResource(NotifierConfig config, @Channel("commands") MutinyEmitter<IncidentCommand> commands,
            @Channel("runbook-commands") MutinyEmitter<RunbookCommand> runbookCommands, Mutiny.SessionFactory sessions,
            NotifierMetrics metrics, ObjectMapper mapper, Clock clock) {
        this.signature = config.slack().signingSecret().filter(s -> !s.isBlank()).map(SlackSignature::new)
                .orElse(null);
        this.commands = commands;
        this.runbookCommands = runbookCommands;
        this.sessions = sessions;
        this.config = config;
        this.metrics = metrics;
        this.mapper = mapper;
        this.clock = clock;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> interact(@HeaderParam("X-Slack-Request-Timestamp") String timestamp,
            @HeaderParam("X-Slack-Signature") String slackSignature, byte[] body) {
        if (signature == null) {
            metrics.interaction("refused");
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED,
                    "TOCSIN_SLACK_SIGNING_SECRET is not set, so no Slack request can be verified"));
        }
        SlackSignature.Verdict verdict = signature.verify(timestamp, slackSignature, body, clock.instant());
        if (verdict != SlackSignature.Verdict.VALID) {
            metrics.interaction("refused");
            return Uni.createFrom().item(problem(Response.Status.UNAUTHORIZED, verdict.problem()));
        }
        JsonNode payload;
        try {
            payload = mapper.readTree(formField(new String(body, StandardCharsets.UTF_8), "payload"));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            metrics.interaction("malformed");
            return Uni.createFrom().item(problem(Response.Status.BAD_REQUEST,
                    "payload: must be the interaction's JSON in a form field named payload"));
        }
        if (payload == null || !"block_actions".equals(payload.path("type").asText())
                || payload.path("actions").isArray() && payload.path("actions").isEmpty()) {
            metrics.interaction("ignored");
            return Uni.createFrom().item(Response.ok().build());
        }
        if (!payload.path("actions").isArray() || !payload.path("actions").get(0).isObject()) {
            return ephemeral("malformed", payload.path("response_url").asText(null), "Tocsin cannot read that "
                    + "press (its actions are not a list of actions), so nothing was done. Press again, or act in "
                    + "Tocsin itself.");
        }
        return handle(payload);
    }

    private Uni<Response> handle(JsonNode payload) {
        JsonNode action = payload.path("actions").get(0);
        String actionId = action.path("action_id").asText();
        if (SlackMessages.RUNBOOK_APPROVE.equals(actionId) || SlackMessages.RUNBOOK_DENY.equals(actionId)) {
            return runbookPress(payload, action, actionId);
        }
        String value = action.has("selected_option") ? action.path("selected_option").path("value").asText()
                : action.path("value").asText();
        String responseUrl = payload.path("response_url").asText(null);
        String user = payload.path("user").path("id").asText("unknown");
        Instant now = clock.instant();

        IncidentCommand.Action command;
        Instant until = null;
        String incidentPart = value;
        switch (actionId) {
            case SlackMessages.ACKNOWLEDGE -> command = IncidentCommand.Action.ACKNOWLEDGE;
            case SlackMessages.UNACKNOWLEDGE -> command = IncidentCommand.Action.UNACKNOWLEDGE;
            case SlackMessages.RESOLVE -> command = IncidentCommand.Action.RESOLVE;
            case SlackMessages.ESCALATE -> command = IncidentCommand.Action.ESCALATE;
            case SlackMessages.SNOOZE -> {
                command = IncidentCommand.Action.SNOOZE;
                int bar = value.indexOf('|');
                if (bar < 0) {
                    return ephemeral("unknown-action", responseUrl, "That snooze choice is not one Tocsin offers.");
                }
                incidentPart = value.substring(0, bar);
                try {
                    until = now.plus(Duration.parse(value.substring(bar + 1)));
                } catch (DateTimeParseException e) {
                    return ephemeral("unknown-action", responseUrl, "That snooze choice is not one Tocsin offers.");
                }
            }
            default -> {
                return ephemeral("unknown-action", responseUrl, "Tocsin does not know the action \""
                        + actionId + "\". This message may come from a newer or older Tocsin.");
            }
        }
        UUID incidentId;
        try {
            incidentId = UUID.fromString(incidentPart);
        } catch (IllegalArgumentException e) {
            return ephemeral("unknown-incident", responseUrl, "Tocsin does not know that incident.");
        }
        IncidentCommand issued = new IncidentCommand(pressId(payload, action, user, actionId), incidentId, command,
                "slack:" + user, now, "from Slack", until, null, null);
        Instant snoozeUntil = until;
        return publish(commands, issued, incidentId, responseUrl, () -> {
            metrics.interaction("command");
            LOG.infof("Slack user %s pressed %s on incident %s%s", user, actionId, incidentId,
                    snoozeUntil == null ? "" : " (until " + snoozeUntil + ")");
        });
    }

    /**
     * Approve or Deny on a runbook approval request: the value names the run and the approval step, the block id the
     * incident. Once Kafka has the command, the pressed copy's buttons give way to who answered; the runbook engine
     * may still refuse it (the step already answered, timed out or cancelled), so only the thread's reply, from the
     * runbook's own event, says what became of it.
     */
    private Uni<Response> runbookPress(JsonNode payload, JsonNode action, String actionId) {
        String responseUrl = payload.path("response_url").asText(null);
        String user = payload.path("user").path("id").asText("unknown");
        String value = action.path("value").asText();
        String blockId = action.path("block_id").asText();
        UUID runId;
        int stepIndex;
        UUID incidentId;
        try {
            int colon = value.lastIndexOf(':');
            runId = UUID.fromString(value.substring(0, colon));
            stepIndex = Integer.parseInt(value.substring(colon + 1));
            if (stepIndex < 0 || !blockId.startsWith(SlackMessages.APPROVAL_BLOCK)) {
                throw new IllegalArgumentException("not an approval button");
            }
            incidentId = UUID.fromString(blockId.substring(SlackMessages.APPROVAL_BLOCK.length()));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return ephemeral("malformed", responseUrl, "Tocsin cannot read that approval button, so nothing was "
                    + "approved or denied. The runbook still waits for an answer until it times out.");
        }
        boolean approve = SlackMessages.RUNBOOK_APPROVE.equals(actionId);
        RunbookCommand issued = new RunbookCommand(pressId(payload, action, user, actionId), runId, incidentId,
                stepIndex, approve ? RunbookCommand.Action.APPROVE : RunbookCommand.Action.DENY, "slack:" + user,
                clock.instant(), "from Slack");
        return publish(runbookCommands, issued, incidentId, responseUrl, () -> {
            metrics.interaction("runbook-command");
            LOG.infof("Slack user %s pressed %s on run %s step %d of incident %s", user, actionId, runId, stepIndex,
                    incidentId);
            replaceButtons(payload, blockId, responseUrl,
                    (approve ? "Approval" : "Denial") + " sent by " + Actors.inSlack("slack:" + user)
                            + "; the thread says when the runbook takes it");
        });
    }

    /** The same press delivered twice makes the same command id, which its consumer applies once. */
    private static UUID pressId(JsonNode payload, JsonNode action, String user, String actionId) {
        return UUID.nameUUIDFromBytes(("slack:" + payload.path("team").path("id").asText() + ":" + user + ":"
                + actionId + ":" + action.path("action_ts").asText()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes a press's command for a known incident and answers 200 once Kafka has it ({@code sent} runs then), or
     * 503 with an ephemeral word when Kafka does not confirm in time. Once Kafka has it the answer is 200 whatever
     * {@code sent} does: a 503 then would make people press again, which is a new command.
     */
    private <T> Uni<Response> publish(MutinyEmitter<T> emitter, T command, UUID incidentId, String responseUrl,
            Runnable sent) {
        return sessions.withSession(session -> session.find(IncidentViewRecord.class, incidentId))
                .chain(view -> {
                    if (view == null) {
                        return ephemeral("unknown-incident", responseUrl,
                                "Tocsin does not know incident " + incidentId + "; it may have been removed.");
                    }
                    return emitter.sendMessage(Message.of(command).addMetadata(OutgoingKafkaRecordMetadata
                            .<String> builder().withKey(incidentId.toString()).build()))
                            .ifNoItem().after(KAFKA_WAIT).fail()
                            .map(ignored -> {
                                try {
                                    sent.run();
                                } catch (RuntimeException e) {
                                    LOG.warnf(e, "a Slack press on incident %s was recorded, but what follows it "
                                            + "failed", incidentId);
                                }
                                return Response.ok().build();
                            })
                            .onFailure().recoverWithUni(failure -> {
                                LOG.warnf("a Slack press on incident %s could not be recorded: %s", incidentId,
                                        failure.getMessage());
                                return ephemeral("unavailable", responseUrl,
                                        "Tocsin did not confirm that in time; it may still be applied. Check the "
                                                + "message in a moment before pressing again.")
                                        .replaceWith(Response.status(Response.Status.SERVICE_UNAVAILABLE).build());
                            });
                });
    }

    /**
     * Rewrites the pressed message through its response_url: the same blocks, the pressed buttons replaced by a line.
     * A payload without the message's blocks keeps the message's text, so the question stays.
     */
    private void replaceButtons(JsonNode payload, String blockId, String responseUrl, String line) {
        if (responseUrl == null || !allowed(responseUrl)) {
            LOG.infof("not replacing the buttons of a Slack press: its response_url is missing or not a Slack host");
            return;
        }
        ArrayNode blocks = mapper.createArrayNode();
        JsonNode message = payload.path("message");
        if (message.path("blocks").isArray() && !message.path("blocks").isEmpty()) {
            for (JsonNode block : message.path("blocks")) {
                if (!blockId.equals(block.path("block_id").asText())) {
                    blocks.add(block);
                }
            }
        } else if (message.path("text").isTextual() && !message.path("text").asText().isBlank()) {
            // Slack's copy of text Tocsin wrote, escaped already.
            String text = message.path("text").asText();
            blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                    .put("text", text.length() > 2900 ? text.substring(0, 2900) : text).put("verbatim", true);
        } else {
            LOG.infof("not replacing the buttons of a Slack press: the payload carries neither the message's blocks "
                    + "nor its text");
            return;
        }
        ObjectNode answered = blocks.addObject().put("type", "section");
        answered.putObject("text").put("type", "mrkdwn").put("text", line).put("verbatim", true);
        ObjectNode body = mapper.createObjectNode().put("replace_original", true).put("text", line);
        body.set("blocks", blocks);
        respond(responseUrl, body, "the replacement of a pressed message");
    }

    /** Answers 200 and tells the user, and only them, through the press's response_url. */
    private Uni<Response> ephemeral(String outcome, String responseUrl, String text) {
        metrics.interaction(outcome);
        if (responseUrl == null || !allowed(responseUrl)) {
            LOG.infof("not replying to a Slack press (%s): its response_url is missing or not a Slack host", outcome);
            return Uni.createFrom().item(Response.ok().build());
        }
        respond(responseUrl, Map.of("response_type", "ephemeral", "replace_original", false, "text", text),
                "the ephemeral reply to a Slack press");
        return Uni.createFrom().item(Response.ok().build());
    }

    /** Posts {@code body} to an allowed response_url without waiting; a refusal is only logged. */
    private void respond(String responseUrl, Object body, String what) {
        String json;
        try {
            json = mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(responseUrl)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure != null || response.statusCode() >= 300) {
                LOG.infof("%s was not taken: %s", what,
                        failure != null ? failure.getMessage() : "HTTP " + response.statusCode());
            }
        });
    }

    private boolean allowed(String url) {
        try {
            URI uri = URI.create(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()) && isLoopback(uri.getHost()))
                    && config.slack().responseUrlHosts().contains(uri.getHost());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isLoopback(String host) {
        return "127.0.0.1".equals(host) || "localhost".equals(host);
    }

    private static String formField(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("no " + name);
    }

    private static Response problem(Response.Status status, String detail) {
        return Response.status(status).type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", status.getReasonPhrase(), "status",
                        status.getStatusCode(), "detail", detail))
                .build();
    }
}
