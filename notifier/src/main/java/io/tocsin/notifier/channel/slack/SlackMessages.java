package io.tocsin.notifier.channel.slack;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.OptionObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.composition.TextObject;
import com.slack.api.model.block.element.BlockElement;
import com.slack.api.model.block.element.ButtonElement;
import com.slack.api.model.block.element.StaticSelectElement;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.IncidentUnacknowledged;
import io.tocsin.events.NoteAdded;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.PriorityChanged;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.events.SlaBreached;
import io.tocsin.notifier.domain.Actors;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.SlackText;
import io.tocsin.notifier.domain.StormDigest;

/**
 * Renders incidents as Slack Block Kit: the root message (what, how bad, who has it, links, buttons) and the short
 * replies in its thread. Every piece of alert text goes through {@link SlackText}; mrkdwn is sent {@code verbatim}, so
 * Slack does not turn a label's {@code @here} into a mention.
 */
public final class SlackMessages {

    /** The block id of the buttons, and the action ids Slack sends back when one is pressed. */
    public static final String ACTIONS_BLOCK = "incident-actions";
    public static final String ACKNOWLEDGE = "incident.ack";
    public static final String UNACKNOWLEDGE = "incident.unack";
    public static final String RESOLVE = "incident.resolve";
    public static final String ESCALATE = "incident.escalate";
    public static final String SNOOZE = "incident.snooze";
    /** The action ids of a runbook approval request's buttons; their value is {@code <runId>:<stepIndex>}. */
    public static final String RUNBOOK_APPROVE = "runbook.approve";
    public static final String RUNBOOK_DENY = "runbook.deny";
    /** The block id of approval buttons is this and the incident id, so a press says which incident it is about. */
    public static final String APPROVAL_BLOCK = "runbook-approval:";
    /** The snooze choices offered, as (label, duration). */
    public static final Map<String, Duration> SNOOZE_CHOICES = Map.of("30 minutes", Duration.ofMinutes(30),
            "1 hour", Duration.ofHours(1), "4 hours", Duration.ofHours(4));

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final int MAX_TEXT = 2900;
    /** How many alerts of an {@code alerts.attached} its thread reply names. */
    private static final int SHOWN_MEMBERS = 5;

    private SlackMessages() {
    }

    /** The notification text (shown by phones and in search) for the root message. */
    public static String fallback(IncidentSnapshot incident) {
        return "[" + incident.priority() + "] " + stateWord(incident) + ": " + SlackText.escape(incident.title(), 200);
    }

    /** The root message's blocks, as the incident stands now; {@code mentions} head it when not empty. */
    public static List<LayoutBlock> root(IncidentSnapshot incident, String mentions) {
        List<LayoutBlock> blocks = new ArrayList<>();
        StringBuilder head = new StringBuilder();
        if (mentions != null && !mentions.isBlank()) {
            head.append(mentions).append('\n');
        }
        head.append(stateIcon(incident)).append(" *").append(incident.priority()).append("* ")
                .append(stateWord(incident)).append(": *").append(SlackText.escape(incident.title(), 300)).append('*');
        blocks.add(section(head.toString()));

        List<TextObject> fields = new ArrayList<>();
        fields.add(mrkdwn("*Service*\n" + (incident.service() == null ? "—" : SlackText.escape(incident.service(), 100))));
        fields.add(mrkdwn("*State*\n" + stateLine(incident)));
        fields.add(mrkdwn("*Alerts*\n" + alertLine(incident)));
        fields.add(mrkdwn("*Opened*\n" + TIME.format(incident.openedAt())));
        blocks.add(SectionBlock.builder().fields(fields).build());

        StringBuilder body = new StringBuilder();
        if (!incident.summary().equals(incident.title())) {
            body.append(SlackText.escape(incident.summary(), 1000)).append('\n');
        }
        if (incident.description() != null && !incident.description().isBlank()) {
            body.append(SlackText.escape(incident.description(), 1500)).append('\n');
        }
        if (!incident.groupLabels().isEmpty()) {
            body.append(labelLine(incident.groupLabels()));
        }
        if (!body.isEmpty()) {
            blocks.add(section(body.toString().strip()));
        }

        List<String> links = new ArrayList<>();
        addLink(links, incident.runbookUrl(), "Runbook");
        addLink(links, incident.generatorUrl(), "Source");
        addLink(links, incident.url(), "Incident");
        if (!links.isEmpty()) {
            blocks.add(ContextBlock.builder().elements(List.of(mrkdwn(String.join("  ·  ", links)))).build());
        }
        if (!incident.resolved()) {
            blocks.add(ActionsBlock.builder().blockId(ACTIONS_BLOCK).elements(buttons(incident)).build());
        }
        return blocks;
    }

    /**
     * Whether the thread reply for {@code event} is also shown in the channel ({@code reply_broadcast}) and mentions
     * the target's people: a repeated page, and a runbook approval request, which someone has to answer.
     */
    public static boolean needsNotice(IncidentEvent event) {
        return event instanceof NotificationRequested || event instanceof RunbookProgressed progressed
                && progressed.kind() == RunbookEvent.Kind.APPROVAL_REQUESTED;
    }

    /**
     * The reply in the incident's thread for {@code event}: one short line. {@code mentions} head the line of a
     * repeated page and of an approval request (see {@link #needsNotice}); other replies mention nobody.
     */
    public static String reply(IncidentEvent event, String mentions) {
        String who = mentions == null || mentions.isBlank() || !needsNotice(event) ? "" : mentions + " ";
        if (event instanceof NotificationRequested requested) {
            return ":rotating_light: " + who + "Still not acknowledged: level " + (requested.level() + 1)
                    + " of policy " + SlackText.escape(requested.policy(), 80)
                    + (requested.cycle() > 0 ? " (repeat " + requested.cycle() + ")" : "") + ".";
        }
        if (event instanceof IncidentAcknowledged ack) {
            return ":eyes: Acknowledged by " + Actors.inSlack(ack.actor()) + ".";
        }
        if (event instanceof IncidentUnacknowledged unack) {
            return ":leftwards_arrow_with_hook: Unacknowledged by " + Actors.inSlack(unack.actor())
                    + because(unack.reason()) + "; escalation resumes.";
        }
        if (event instanceof IncidentResolved resolved) {
            return ":white_check_mark: Resolved by " + Actors.inSlack(resolved.actor()) + because(resolved.reason())
                    + ".";
        }
        if (event instanceof IncidentReopened reopened) {
            return ":repeat: Reopened" + because(reopened.reason()) + ".";
        }
        if (event instanceof PriorityChanged changed) {
            return ":arrow_up_down: Priority " + changed.from() + " → " + changed.to() + " by "
                    + Actors.inSlack(changed.actor()) + because(changed.reason()) + ".";
        }
        if (event instanceof SlaBreached breached) {
            return ":alarm_clock: Response SLA breached: " + breached.priority() + " must be acknowledged within "
                    + human(Duration.ofSeconds(breached.slaSeconds())) + ".";
        }
        if (event instanceof IncidentSnoozed snoozed) {
            return ":zzz: Snoozed by " + Actors.inSlack(snoozed.actor()) + " until " + TIME.format(snoozed.until())
                    + ".";
        }
        if (event instanceof NoteAdded note) {
            return ":memo: " + Actors.inSlack(note.actor()) + ": " + SlackText.escape(note.text(), 1500);
        }
        if (event instanceof IncidentEscalated escalated) {
            return ":arrow_double_up: Escalated to level " + (escalated.level() + 1) + " by "
                    + Actors.inSlack(escalated.actor()) + because(escalated.reason()) + ".";
        }
        if (event instanceof AlertAttached attached) {
            return ":heavy_plus_sign: Alert "
                    + SlackText.escape(attached.annotations().getOrDefault("summary",
                            attached.labels().getOrDefault("alertname", attached.fingerprint())), 300)
                    + " " + labelLine(attached.labels());
        }
        if (event instanceof AlertsAttached many) {
            // One reply for alerts attached together: the first few named, the count of the rest, so the reply
            // stays about as long as a single alert's.
            StringBuilder text = new StringBuilder(":heavy_plus_sign: " + many.alerts().size() + " alerts:");
            many.alerts().stream().limit(SHOWN_MEMBERS).forEach(member -> text.append("\n• ")
                    .append(SlackText.escape(member.annotations().getOrDefault("summary",
                            member.labels().getOrDefault("alertname", member.fingerprint())), 120))
                    .append(' ').append(labelLine(member.labels(), 4, 60)));
            if (many.alerts().size() > SHOWN_MEMBERS) {
                text.append("\n… and ").append(many.alerts().size() - SHOWN_MEMBERS).append(" more.");
            }
            return text.toString();
        }
        if (event instanceof AlertResolved resolved) {
            return ":heavy_minus_sign: An alert resolved (" + SlackText.escape(resolved.fingerprint(), 40) + ").";
        }
        if (event instanceof RunbookProgressed progressed) {
            return runbookLine(progressed, who);
        }
        return SlackText.escape(event.getClass().getSimpleName());
    }

    /**
     * The blocks of a thread reply that needs more than its line, else null: an approval request gets its prompt, who
     * may answer, when it times out, and Approve and Deny buttons, headed by {@code mentions} (the target's, as on a
     * page) when not empty.
     */
    public static List<LayoutBlock> replyBlocks(IncidentEvent event, String mentions) {
        if (!(event instanceof RunbookProgressed request) || request.kind() != RunbookEvent.Kind.APPROVAL_REQUESTED) {
            return null;
        }
        String who = mentions == null || mentions.isBlank() ? "" : mentions + " ";
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(section(":raising_hand: " + who + "*Approval needed* " + runbookAndStep(request) + "\n"
                + SlackText.escape(blank(request.summary()) ? "Go on with the next step?" : request.summary(), 1500)));
        String context = "Anyone in this channel may approve or deny; Tocsin records who did.";
        if (request.approvalExpiresAt() != null) {
            context += "  ·  Times out at " + TIME.format(request.approvalExpiresAt()) + ".";
        }
        blocks.add(ContextBlock.builder().elements(List.of(mrkdwn(context))).build());
        if (request.runId() == null || request.stepIndex() == null) {
            blocks.add(ContextBlock.builder().elements(List.of(mrkdwn(
                    "No buttons: the request does not name its run and step."))).build());
            return blocks;
        }
        String value = request.runId() + ":" + request.stepIndex();
        blocks.add(ActionsBlock.builder().blockId(APPROVAL_BLOCK + request.incidentId())
                .elements(List.of(button(RUNBOOK_APPROVE, "Approve", value, "primary"),
                        button(RUNBOOK_DENY, "Deny", value, "danger")))
                .build());
        return blocks;
    }

    private static String runbookLine(RunbookProgressed progressed, String who) {
        RunbookEvent.Kind kind = progressed.kind() == null ? RunbookEvent.Kind.UNKNOWN : progressed.kind();
        String line = runbookIcon(kind) + " " + who + runbookAndStep(progressed) + ": "
                + SlackText.escape(blank(progressed.summary()) ? kind.wire() : progressed.summary(), 1500);
        boolean byPerson = progressed.actor() != null && !progressed.actor().startsWith("runbook:");
        if (byPerson && (kind == RunbookEvent.Kind.RUN_STARTED || kind == RunbookEvent.Kind.APPROVED
                || kind == RunbookEvent.Kind.DENIED || kind == RunbookEvent.Kind.RUN_CANCELLED)) {
            line += " (" + Actors.inSlack(progressed.actor()) + ")";
        }
        return line;
    }

    /** Such as {@code Runbook *restart-checkout* (dry run), step *restart*}. */
    private static String runbookAndStep(RunbookProgressed progressed) {
        StringBuilder text = new StringBuilder("Runbook *")
                .append(SlackText.escape(blank(progressed.runbook()) ? "?" : progressed.runbook(), 100)).append('*');
        if (progressed.dryRun()) {
            text.append(" (dry run)");
        }
        if (!blank(progressed.step())) {
            text.append(", step *").append(SlackText.escape(progressed.step(), 100)).append('*');
        }
        return text.toString();
    }

    private static String runbookIcon(RunbookEvent.Kind kind) {
        return switch (kind) {
            case RUN_STARTED -> ":arrow_forward:";
            case STEP_STARTED -> ":hourglass_flowing_sand:";
            case STEP_SUCCEEDED -> ":heavy_check_mark:";
            case STEP_FAILED -> ":x:";
            case APPROVAL_REQUESTED -> ":raising_hand:";
            case APPROVED -> ":thumbsup:";
            case DENIED -> ":no_entry:";
            case APPROVAL_TIMED_OUT -> ":hourglass:";
            case RUN_SUCCEEDED -> ":white_check_mark:";
            case RUN_FAILED -> ":boom:";
            case RUN_CANCELLED -> ":black_square_for_stop:";
            case UNKNOWN -> ":grey_question:";
        };
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static List<BlockElement> buttons(IncidentSnapshot incident) {
        String id = incident.id().toString();
        List<BlockElement> elements = new ArrayList<>();
        if (incident.acknowledged()) {
            elements.add(button(UNACKNOWLEDGE, "Unacknowledge", id, null));
        } else {
            elements.add(button(ACKNOWLEDGE, "Acknowledge", id, "primary"));
        }
        elements.add(button(RESOLVE, "Resolve", id, null));
        elements.add(button(ESCALATE, "Escalate", id, "danger"));
        List<OptionObject> options = new ArrayList<>();
        SNOOZE_CHOICES.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(choice -> options
                .add(OptionObject.builder().text(plain(choice.getKey()))
                        .value(id + "|" + choice.getValue()).build()));
        elements.add(StaticSelectElement.builder().actionId(SNOOZE).placeholder(plain("Snooze…")).options(options)
                .build());
        return elements;
    }

    private static ButtonElement button(String actionId, String label, String value, String style) {
        return ButtonElement.builder().actionId(actionId).text(plain(label)).value(value).style(style).build();
    }

    private static String stateLine(IncidentSnapshot incident) {
        if (incident.resolved()) {
            return "Resolved" + (incident.resolvedBy() == null ? "" : " by " + Actors.inSlack(incident.resolvedBy()));
        }
        String line = incident.acknowledged() ? "Acknowledged by " + Actors.inSlack(incident.acknowledgedBy())
                : "Open, not acknowledged";
        if (incident.escalationLevel() != null && incident.escalationLevel() >= 0 && !incident.acknowledged()) {
            line += " (level " + (incident.escalationLevel() + 1) + ")";
        }
        if (incident.snoozedUntil() != null) {
            line += "\nSnoozed until " + TIME.format(incident.snoozedUntil());
        }
        return line;
    }

    private static String alertLine(IncidentSnapshot incident) {
        if (incident.alerts() <= 1) {
            return incident.firing() > 0 ? "1 firing" : incident.alerts() + " (resolved)";
        }
        return incident.firing() + " firing (+" + (incident.alerts() - 1) + " alerts since it opened)";
    }

    private static String stateIcon(IncidentSnapshot incident) {
        if (incident.resolved()) {
            return ":large_green_circle:";
        }
        return incident.acknowledged() ? ":large_yellow_circle:" : ":red_circle:";
    }

    private static String stateWord(IncidentSnapshot incident) {
        if (incident.resolved()) {
            return "Resolved";
        }
        return incident.acknowledged() ? "Acknowledged" : "Firing";
    }

    private static String labelLine(Map<String, String> labels) {
        return labelLine(labels, 12, 120);
    }

    private static String labelLine(Map<String, String> labels, int most, int valueLength) {
        StringBuilder line = new StringBuilder();
        labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(most).forEach(label -> line
                .append(line.isEmpty() ? "" : "  ").append(SlackText.escape(label.getKey(), 60)).append('=')
                .append(SlackText.escape(label.getValue(), valueLength)));
        return line.toString();
    }

    private static void addLink(List<String> links, String url, String label) {
        String link = SlackText.link(url, label);
        if (link != null) {
            links.add(link);
        }
    }

    private static String because(String reason) {
        return reason == null || reason.isBlank() ? "" : ": " + SlackText.escape(reason, 500);
    }

    private static String human(Duration duration) {
        if (duration.toHours() > 0 && duration.toMinutesPart() == 0) {
            return duration.toHours() + "h";
        }
        return duration.toMinutes() > 0 ? duration.toMinutes() + "m" : duration.toSeconds() + "s";
    }

    private static SectionBlock section(String text) {
        return SectionBlock.builder().text(mrkdwn(text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text))
                .build();
    }

    /** A storm digest: its headline, a line per alert name, the newest incidents' links, and the state counts. */
    public static List<LayoutBlock> digest(StormDigest.Text text) {
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(SectionBlock.builder().text(mrkdwn(text.headline())).build());
        if (!text.groups().isEmpty()) {
            blocks.add(SectionBlock.builder().text(mrkdwn(String.join("\n", text.groups()))).build());
        }
        if (!text.links().isEmpty()) {
            blocks.add(ContextBlock.builder().elements(List.of(mrkdwn("Newest: " + String.join("  ·  ",
                    text.links())))).build());
        }
        blocks.add(ContextBlock.builder().elements(List.of(mrkdwn(text.footer()))).build());
        return blocks;
    }

    private static MarkdownTextObject mrkdwn(String text) {
        return MarkdownTextObject.builder().text(text).verbatim(true).build();
    }

    private static PlainTextObject plain(String text) {
        return PlainTextObject.builder().text(text).emoji(true).build();
    }
}
