package io.tocsin.notifier.channel.email;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.Actors;
import io.tocsin.notifier.domain.IncidentSnapshot;

/** E-mail through SMTP (Quarkus Mailer), as HTML with a plain-text alternative. */
@ApplicationScoped
public class EmailChannel implements NotificationChannel {

    private final ReactiveMailer mailer;
    private final boolean configured;

    public EmailChannel(ReactiveMailer mailer, NotifierConfig config) {
        this.mailer = mailer;
        this.configured = config.email().smtpHost().filter(host -> !host.isBlank()).isPresent();
    }

    @Override
    public NotificationTarget.Channel kind() {
        return NotificationTarget.Channel.EMAIL;
    }

    @Override
    public String notConfigured(NotificationTarget target) {
        if (!configured) {
            return "not sent: channel not configured (TOCSIN_SMTP_HOST is not set)";
        }
        if (target.address() == null || !target.address().matches("[^@\\s]+@[^@\\s]+")) {
            return "not sent: channel not configured (\"" + target.address() + "\" is not an e-mail address)";
        }
        return null;
    }

    @Override
    public String destination(NotificationTarget target) {
        return "smtp";
    }

    @Override
    public Uni<SendResult> send(Delivery delivery) {
        IncidentSnapshot incident = delivery.incident();
        boolean resolved = delivery.event() instanceof IncidentResolved;
        String subject = "[Tocsin " + incident.priority() + "] " + (resolved ? "Resolved: " : "Firing: ")
                + oneLine(incident.title());
        Mail mail = Mail.withHtml(delivery.target().address().trim(), subject, html(incident, delivery))
                .setText(text(incident, delivery))
                .addHeader("X-Tocsin-Incident", incident.id().toString());
        return mailer.send(mail)
                .replaceWith((SendResult) SendResult.Delivered.of("e-mailed " + delivery.target().address()))
                .onFailure().recoverWithItem(EmailChannel::failed);
    }

    /** An SMTP 5xx (unknown mailbox, refused sender) is final; anything else (4xx, the server away) may pass. */
    static SendResult failed(Throwable failure) {
        String detail = "SMTP: " + failure.getClass().getSimpleName() + " " + failure.getMessage();
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        if (message.matches("(?s).*\\b5\\d\\d[ -].*")) {
            return new SendResult.Failed(detail);
        }
        return SendResult.Retry.of(detail);
    }

    private static String text(IncidentSnapshot incident, Delivery delivery) {
        StringBuilder text = new StringBuilder();
        text.append(headline(incident, delivery)).append("\n\n");
        text.append("Priority: ").append(incident.priority()).append('\n');
        text.append("Service:  ").append(incident.service() == null ? "-" : incident.service()).append('\n');
        text.append("Alerts:   ").append(incident.firing()).append(" firing of ").append(incident.alerts())
                .append('\n');
        text.append("Opened:   ").append(incident.openedAt()).append("\n\n");
        text.append(incident.summary()).append('\n');
        if (incident.description() != null) {
            text.append(incident.description()).append('\n');
        }
        text.append('\n');
        for (Map.Entry<String, String> label : incident.labels().entrySet()) {
            text.append(label.getKey()).append('=').append(label.getValue()).append('\n');
        }
        text.append("\nIncident: ").append(incident.url()).append('\n');
        if (incident.runbookUrl() != null) {
            text.append("Runbook:  ").append(incident.runbookUrl()).append('\n');
        }
        return text.toString();
    }

    private static String html(IncidentSnapshot incident, Delivery delivery) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        html.append("<h2>").append(escape(headline(incident, delivery))).append("</h2>");
        html.append("<table>");
        row(html, "Priority", incident.priority().name());
        row(html, "Service", incident.service() == null ? "-" : incident.service());
        row(html, "Alerts", incident.firing() + " firing of " + incident.alerts());
        row(html, "Opened", incident.openedAt().toString());
        html.append("</table><p>").append(escape(incident.summary())).append("</p>");
        if (incident.description() != null) {
            html.append("<p>").append(escape(incident.description())).append("</p>");
        }
        html.append("<ul>");
        incident.labels().forEach((key, value) -> html.append("<li><code>").append(escape(key)).append('=')
                .append(escape(value)).append("</code></li>"));
        html.append("</ul><p><a href=\"").append(escape(incident.url())).append("\">Incident</a>");
        if (incident.runbookUrl() != null && incident.runbookUrl().startsWith("http")) {
            html.append(" · <a href=\"").append(escape(incident.runbookUrl())).append("\">Runbook</a>");
        }
        return html.append("</p></body></html>").toString();
    }

    private static String headline(IncidentSnapshot incident, Delivery delivery) {
        if (delivery.event() instanceof IncidentResolved resolved) {
            return "Resolved by " + Actors.inWords(resolved.actor()) + ": " + oneLine(incident.title());
        }
        return "Firing: " + oneLine(incident.title());
    }

    private static void row(StringBuilder html, String name, String value) {
        html.append("<tr><th align=\"left\">").append(name).append("</th><td>").append(escape(value))
                .append("</td></tr>");
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
