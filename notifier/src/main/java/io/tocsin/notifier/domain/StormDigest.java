package io.tocsin.notifier.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tocsin.events.Priority;

/**
 * When a Slack channel is in a storm, and what its digest says. More than {@code threshold} new incidents for one
 * channel within {@code window}: every further P2 or P3 incident is folded into one message for the channel, updated
 * in place; P0 and P1 incidents still get a root message of their own. The storm is over once a whole window passes
 * without a fold.
 */
public record StormDigest(int threshold, Duration window) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    /** Alert names listed in full; the rest are counted. */
    static final int GROUPS_SHOWN = 8;
    /** Services named per alert name. */
    static final int SERVICES_SHOWN = 3;
    /** Incidents linked at the end, newest first. */
    static final int LINKS_SHOWN = 10;

    public boolean enabled() {
        return threshold > 0;
    }

    /**
     * Whether a new incident's first Slack message is folded into the channel's digest.
     *
     * @param recentNew new incidents for the channel within the window, before this one (folded ones included)
     */
    public boolean folds(Priority priority, long recentNew) {
        return enabled() && (priority == Priority.P2 || priority == Priority.P3 || priority == Priority.UNKNOWN)
                && recentNew >= threshold;
    }

    /** Whether a storm whose last fold was at {@code lastFolded} is over at {@code now}. */
    public boolean over(Instant lastFolded, Instant now) {
        return !lastFolded.plus(window).isAfter(now);
    }

    /** One incident of a digest as its message shows it. */
    public record Member(String title, String alertname, String service, String state, String url) {
    }

    /** What a digest message says: a headline, one line per alert name, the newest incidents' links. */
    public record Text(String headline, List<String> groups, List<String> links, String footer) {

        /** The whole message as plain text, for notifications and clients without blocks. */
        public String fallback() {
            return headline + (groups.isEmpty() ? "" : "\n" + String.join("\n", groups)) + "\n" + footer;
        }
    }

    /** The digest's text; members oldest first. */
    public Text render(List<Member> members, Instant startedAt, Instant endedAt, String channel) {
        int resolved = (int) members.stream().filter(m -> "resolved".equals(m.state())).count();
        int acknowledged = (int) members.stream().filter(m -> "acknowledged".equals(m.state())).count();
        String count = members.size() + " new incident" + (members.size() == 1 ? "" : "s");
        String headline = endedAt == null
                ? ":thunder_cloud_and_rain: Storm in " + channel + ": " + count + " since " + TIME.format(startedAt)
                        + ", folded into this message. P0 and P1 incidents are still posted on their own."
                : ":white_sun_small_cloud: The storm in " + channel + " is over: " + count + " between "
                        + TIME.format(startedAt) + " and " + TIME.format(endedAt) + ".";
        Map<String, List<Member>> byName = new LinkedHashMap<>();
        for (Member member : members) {
            byName.computeIfAbsent(member.alertname() == null || member.alertname().isBlank() ? member.title()
                    : member.alertname(), name -> new ArrayList<>()).add(member);
        }
        List<Map.Entry<String, List<Member>>> ordered = new ArrayList<>(byName.entrySet());
        ordered.sort(Comparator.comparingInt((Map.Entry<String, List<Member>> e) -> -e.getValue().size()));
        List<String> groups = new ArrayList<>();
        for (Map.Entry<String, List<Member>> entry : ordered.subList(0, Math.min(GROUPS_SHOWN, ordered.size()))) {
            Set<String> services = new LinkedHashSet<>();
            entry.getValue().stream().map(Member::service).filter(s -> s != null && !s.isBlank())
                    .forEach(services::add);
            List<String> named = new ArrayList<>(services).subList(0, Math.min(SERVICES_SHOWN, services.size()));
            groups.add(entry.getValue().size() + " × " + SlackText.escape(entry.getKey(), 80)
                    + (named.isEmpty() ? ""
                            : " (" + SlackText.escape(String.join(", ", named), 120)
                                    + (services.size() > named.size() ? ", …" : "") + ")"));
        }
        if (ordered.size() > GROUPS_SHOWN) {
            int rest = ordered.subList(GROUPS_SHOWN, ordered.size()).stream().mapToInt(e -> e.getValue().size()).sum();
            groups.add("and " + rest + " more in " + (ordered.size() - GROUPS_SHOWN) + " other alert names");
        }
        List<String> links = new ArrayList<>();
        for (int i = members.size() - 1; i >= 0 && links.size() < LINKS_SHOWN; i--) {
            Member member = members.get(i);
            String link = SlackText.link(member.url(), member.title());
            links.add(link == null ? SlackText.escape(member.title(), 80) : link);
        }
        String footer = acknowledged + " acknowledged, " + resolved + " resolved, "
                + (members.size() - acknowledged - resolved) + " open";
        return new Text(headline, groups, links, footer);
    }
}
