package io.tocsin.notifier.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * A Slack address from an escalation policy: a channel, then who to mention, such as
 * {@code "#db-oncall <!subteam^S0123ABC> <@U024BE7LH>"}.
 *
 * @param channel a channel name ({@code #db-oncall}) or id ({@code C0123ABC})
 * @param mentions in Slack's own syntax, ready to put in a message
 */
public record SlackTarget(String channel, List<String> mentions) {

    public SlackTarget {
        mentions = List.copyOf(mentions);
    }

    /**
     * Parses an address; a problem names the part that is wrong. Mentions are {@code <@U…>} (a user),
     * {@code <!subteam^S…>} (a user group), {@code @here} or {@code @channel}.
     */
    public static SlackTarget parse(String address) {
        String[] parts = address == null ? new String[0] : address.trim().split("\\s+");
        if (parts.length == 0 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("the Slack address is empty; give a channel such as #incidents");
        }
        String channel = parts[0];
        if (!channel.matches("#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{6,}")) {
            throw new IllegalArgumentException("\"" + channel
                    + "\" is not a Slack channel; use #name (lower case) or a channel id such as C0123ABC");
        }
        List<String> mentions = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.matches("<@[UW][A-Z0-9]+>|<!subteam\\^S[A-Z0-9]+>")) {
                mentions.add(part);
            } else if (part.equals("@here") || part.equals("@channel")) {
                mentions.add("<!" + part.substring(1) + ">");
            } else {
                throw new IllegalArgumentException("\"" + part + "\" is not a Slack mention; use <@U…> for a user, "
                        + "<!subteam^S…> for a user group, @here or @channel");
            }
        }
        return new SlackTarget(channel, mentions);
    }

    /** The mentions, space-separated; empty when there are none. */
    public String mentionLine() {
        return String.join(" ", mentions);
    }
}
