package io.tocsin.notifier.domain;

/** Who did something, as events name them, in words for people. */
public final class Actors {

    /** Tocsin itself: timers, auto-resolution. */
    public static final String SYSTEM = "tocsin";

    private Actors() {
    }

    /** The Slack user id of a {@code slack:U…} actor, else null. */
    public static String slackUser(String actor) {
        return actor != null && actor.startsWith("slack:") ? actor.substring("slack:".length()) : null;
    }

    /** An actor in Slack mrkdwn: a mention for Slack users, escaped words for the rest. */
    public static String inSlack(String actor) {
        String user = slackUser(actor);
        if (user != null && user.matches("[UW][A-Z0-9]+")) {
            return "<@" + user + ">";
        }
        return SlackText.escape(inWords(actor));
    }

    /** An actor in plain words: {@code api:oncall} is "oncall (API)", {@code tocsin} is "Tocsin". */
    public static String inWords(String actor) {
        if (actor == null || actor.isBlank() || SYSTEM.equals(actor)) {
            return "Tocsin";
        }
        int colon = actor.indexOf(':');
        if (colon > 0) {
            String kind = actor.substring(0, colon);
            String name = actor.substring(colon + 1);
            return switch (kind) {
                case "api" -> name + " (API)";
                case "slack" -> name + " (Slack)";
                default -> actor;
            };
        }
        return actor;
    }
}
