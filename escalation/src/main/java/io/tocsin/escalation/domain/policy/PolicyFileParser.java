package io.tocsin.escalation.domain.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.SlackDigestSettings;
import io.tocsin.yamlfiles.YamlFile;

/**
 * Reads an escalation policy file (YAML, {@code version: 1}; format in {@code docs/escalation-policies.md}). Every
 * problem is reported with its file and line, all at once; unknown keys are errors, since a misspelt key would
 * otherwise silently change who gets paged. Values may use {@code ${VARIABLE}} or {@code ${VARIABLE:-default}}.
 */
public final class PolicyFileParser {

    private static final Set<String> ROOT_KEYS = Set.of("version", "sla", "priority_rules", "grouping", "policies");
    private static final Set<String> PRIORITY_RULE_KEYS = Set.of("match", "priority");
    private static final Set<String> GROUPING_RULE_KEYS = Set.of("match", "by");
    private static final Set<String> POLICY_KEYS = Set.of("name", "match", "levels", "repeat", "repeat_after",
            "auto_resolve", "digest");
    private static final Set<String> DIGEST_KEYS = Set.of("threshold", "window");
    private static final Set<String> MATCH_KEYS = Set.of("priority", "labels");
    private static final Set<String> LEVEL_KEYS = Set.of("after", "notify");

    /** An unset variable reads as "": an empty address means "not configured". */
    private final YamlFile yaml;

    private PolicyFileParser(String file, Function<String, String> environment) {
        this.yaml = new YamlFile(file, environment, YamlFile.Rules.LENIENT);
    }

    /**
     * @param file the name used in messages
     * @param environment looks up {@code ${VARIABLE}}s ({@link System#getenv(String)} in production)
     * @throws PolicyFileException listing every problem found
     */
    public static PolicySet parse(String text, String file, Function<String, String> environment) {
        return new PolicyFileParser(file, environment).read(text);
    }

    private PolicySet read(String text) {
        MappingNode root = yaml.root(text, "version, sla and policies");
        if (root == null) {
            throw new PolicyFileException(yaml.errors());
        }
        Map<String, Node> keys = yaml.keys(root, "", ROOT_KEYS);
        Node versionNode = keys.get("version");
        if (versionNode == null) {
            yaml.error(root, "version", "is required (version: 1)");
        } else if (!"1".equals(yaml.scalar(versionNode, "version"))) {
            yaml.error(versionNode, "version", "unsupported version; this Tocsin reads version 1");
        }
        Map<Priority, Duration> sla = sla(keys.get("sla"));
        List<PriorityRule> priorityRules = priorityRules(keys.get("priority_rules"));
        List<GroupingRule> grouping = groupingRules(keys.get("grouping"));
        List<EscalationPolicy> policies = policies(keys.get("policies"), root);
        if (yaml.hasErrors()) {
            throw new PolicyFileException(yaml.errors());
        }
        return new PolicySet(1, policies, sla, priorityRules, grouping);
    }

    private Map<Priority, Duration> sla(Node node) {
        Map<Priority, Duration> sla = new LinkedHashMap<>();
        if (node == null) {
            return sla;
        }
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, "sla", "must map priorities to durations, such as P0: 15m");
            return sla;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            String name = yaml.scalar(tuple.getKeyNode(), "sla");
            Priority priority = Priority.fromWire(name);
            if (priority == Priority.UNKNOWN) {
                yaml.error(tuple.getKeyNode(), "sla." + name, "is not a priority (P0, P1, P2 or P3)");
                continue;
            }
            Duration duration = yaml.duration(tuple.getValueNode(), "sla." + name);
            if (duration != null) {
                sla.put(priority, duration);
            }
        }
        return sla;
    }

    private List<PriorityRule> priorityRules(Node node) {
        List<PriorityRule> rules = new ArrayList<>();
        for (Map.Entry<String, MappingNode> item : ruleItems(node, "priority_rules").entrySet()) {
            String path = item.getKey();
            Map<String, Node> keys = yaml.keys(item.getValue(), path, PRIORITY_RULE_KEYS);
            IncidentMatcher match = labelMatch(keys.get("match"), item.getValue(), path + ".match");
            Node priorityNode = keys.get("priority");
            Priority priority = priorityNode == null ? Priority.UNKNOWN
                    : Priority.fromWire(yaml.scalar(priorityNode, path + ".priority"));
            if (priority == Priority.UNKNOWN) {
                yaml.error(priorityNode == null ? item.getValue() : priorityNode, path + ".priority",
                        "is required: P0, P1, P2 or P3");
                continue;
            }
            rules.add(new PriorityRule(match, priority));
        }
        return rules;
    }

    private List<GroupingRule> groupingRules(Node node) {
        List<GroupingRule> rules = new ArrayList<>();
        for (Map.Entry<String, MappingNode> item : ruleItems(node, "grouping").entrySet()) {
            String path = item.getKey();
            Map<String, Node> keys = yaml.keys(item.getValue(), path, GROUPING_RULE_KEYS);
            IncidentMatcher match = labelMatch(keys.get("match"), item.getValue(), path + ".match");
            List<String> by = new ArrayList<>();
            if (keys.get("by") instanceof SequenceNode sequence) {
                for (Node label : sequence.getValue()) {
                    String name = yaml.scalar(label, path + ".by");
                    if (name != null && !name.isBlank()) {
                        by.add(name.trim());
                    }
                }
            }
            if (by.isEmpty()) {
                yaml.error(keys.getOrDefault("by", item.getValue()), path + ".by",
                        "is required: a list of labels such as [alertname, cluster]");
                continue;
            }
            rules.add(new GroupingRule(match, by));
        }
        return rules;
    }

    /** The items of an optional list of rules, by path; a problem for anything that is not a list of mappings. */
    private Map<String, MappingNode> ruleItems(Node node, String path) {
        Map<String, MappingNode> items = new LinkedHashMap<>();
        if (node == null) {
            return items;
        }
        if (!(node instanceof SequenceNode sequence)) {
            yaml.error(node, path, "must be a list of rules, each with match and " + ("grouping".equals(path) ? "by"
                    : "priority"));
            return items;
        }
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            if (item instanceof MappingNode mapping) {
                items.put(path + "[" + i + "]", mapping);
            } else {
                yaml.error(item, path + "[" + i + "]", "must be a mapping with match and "
                        + ("grouping".equals(path) ? "by" : "priority"));
            }
        }
        return items;
    }

    /** A rule's match: labels only (an alert has no incident priority yet), and required. */
    private IncidentMatcher labelMatch(Node node, Node parent, String path) {
        if (node == null) {
            yaml.error(parent, path, "is required: labels to match, such as {labels: {team: db}}");
            return IncidentMatcher.ANY;
        }
        IncidentMatcher match = match(node, path);
        if (!match.priorities().isEmpty()) {
            yaml.error(node, path + ".priority", "a rule matches alert labels only");
        }
        return new IncidentMatcher(java.util.Set.of(), match.labels());
    }

    private List<EscalationPolicy> policies(Node node, Node root) {
        List<EscalationPolicy> policies = new ArrayList<>();
        if (node == null) {
            yaml.error(root, "policies", "is required: a list of escalation policies");
            return policies;
        }
        if (!(node instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(node, "policies", "must be a non-empty list of escalation policies");
            return policies;
        }
        Set<String> names = new HashSet<>();
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String path = "policies[" + i + "]";
            EscalationPolicy policy = policy(items.get(i), path);
            if (policy == null) {
                continue;
            }
            if (!names.add(policy.name())) {
                yaml.error(items.get(i), path + ".name", "\"" + policy.name() + "\" is used by an earlier policy");
            }
            if (i == items.size() - 1 && !policy.match().equals(IncidentMatcher.ANY)) {
                yaml.error(items.get(i), path, "the last policy is the fallback and must have no match");
            }
            policies.add(policy);
        }
        return policies;
    }

    private EscalationPolicy policy(Node node, String path) {
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, path, "must be a mapping with name and levels");
            return null;
        }
        Map<String, Node> keys = yaml.keys(mapping, path, POLICY_KEYS);
        String name = keys.containsKey("name") ? yaml.scalar(keys.get("name"), path + ".name") : null;
        if (name == null || name.isBlank()) {
            yaml.error(node, path + ".name", "is required");
            name = path;
        }
        IncidentMatcher match = match(keys.get("match"), path + ".match");
        List<Level> levels = levels(keys.get("levels"), node, path + ".levels");
        int repeat = keys.containsKey("repeat") ? yaml.count(keys.get("repeat"), path + ".repeat", 0, 100) : 0;
        Duration repeatAfter = keys.containsKey("repeat_after")
                ? yaml.duration(keys.get("repeat_after"), path + ".repeat_after")
                : Duration.ofMinutes(30);
        boolean autoResolve = !keys.containsKey("auto_resolve")
                || yaml.bool(keys.get("auto_resolve"), path + ".auto_resolve");
        return new EscalationPolicy(name, match, levels, repeat, repeatAfter == null ? Duration.ZERO : repeatAfter,
                autoResolve, digest(keys.get("digest"), path + ".digest"));
    }

    /**
     * A policy's own storm digest settings for Slack: {@code threshold} (0 never folds this policy's incidents) and
     * {@code window}, each optional (absent: the notifier's default); null when the policy has none.
     */
    private SlackDigestSettings digest(Node node, String path) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, path, "must be a mapping with threshold and/or window");
            return null;
        }
        Map<String, Node> keys = yaml.keys(mapping, path, DIGEST_KEYS);
        if (keys.isEmpty()) {
            yaml.error(node, path, "must set threshold and/or window");
            return null;
        }
        Integer threshold = keys.containsKey("threshold")
                ? yaml.count(keys.get("threshold"), path + ".threshold", 0, 10_000)
                : null;
        Long window = null;
        if (keys.containsKey("window")) {
            Duration duration = yaml.duration(keys.get("window"), path + ".window");
            if (duration != null && (duration.toSeconds() < 1 || duration.compareTo(Duration.ofHours(24)) > 0)) {
                yaml.error(keys.get("window"), path + ".window", "must be from 1s to 24h");
            } else if (duration != null) {
                window = duration.toSeconds();
            }
        }
        return new SlackDigestSettings(threshold, window);
    }

    private IncidentMatcher match(Node node, String path) {
        if (node == null) {
            return IncidentMatcher.ANY;
        }
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, path, "must be a mapping with priority and/or labels");
            return IncidentMatcher.ANY;
        }
        Map<String, Node> keys = yaml.keys(mapping, path, MATCH_KEYS);
        Set<Priority> priorities = EnumSet.noneOf(Priority.class);
        Node priorityNode = keys.get("priority");
        if (priorityNode != null) {
            List<Node> values = priorityNode instanceof SequenceNode sequence ? sequence.getValue()
                    : List.of(priorityNode);
            for (Node value : values) {
                Priority priority = Priority.fromWire(yaml.scalar(value, path + ".priority"));
                if (priority == Priority.UNKNOWN) {
                    yaml.error(value, path + ".priority", "must be P0, P1, P2 or P3");
                } else {
                    priorities.add(priority);
                }
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Node labelsNode = keys.get("labels");
        if (labelsNode instanceof MappingNode labelMapping) {
            for (NodeTuple tuple : labelMapping.getValue()) {
                String label = yaml.scalar(tuple.getKeyNode(), path + ".labels");
                String value = yaml.scalar(tuple.getValueNode(), path + ".labels." + label);
                if (value != null && value.startsWith("~")) {
                    try {
                        Pattern.compile(value.substring(1));
                    } catch (RuntimeException e) {
                        yaml.error(tuple.getValueNode(), path + ".labels." + label, "is not a valid regular expression");
                    }
                }
                labels.put(label, value == null ? "" : value);
            }
        } else if (labelsNode != null) {
            yaml.error(labelsNode, path + ".labels", "must map label names to values");
        }
        return new IncidentMatcher(priorities, labels);
    }

    private List<Level> levels(Node node, Node parent, String path) {
        List<Level> levels = new ArrayList<>();
        if (node == null) {
            yaml.error(parent, path, "is required: at least one level");
            return levels;
        }
        if (!(node instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(node, path, "must be a non-empty list of levels");
            return levels;
        }
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            String levelPath = path + "[" + i + "]";
            if (!(item instanceof MappingNode mapping)) {
                yaml.error(item, levelPath, "must be a mapping with after and notify");
                continue;
            }
            Map<String, Node> keys = yaml.keys(mapping, levelPath, LEVEL_KEYS);
            Duration after = keys.containsKey("after") ? yaml.duration(keys.get("after"), levelPath + ".after")
                    : Duration.ZERO;
            List<NotificationTarget> targets = targets(keys.get("notify"), item, levelPath + ".notify");
            levels.add(new Level(after == null ? Duration.ZERO : after, targets));
        }
        return levels;
    }

    private List<NotificationTarget> targets(Node node, Node parent, String path) {
        List<NotificationTarget> targets = new ArrayList<>();
        if (!(node instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(node == null ? parent : node, path,
                    "is required: a list such as [{slack: \"#oncall\"}, {pagerduty: \"<routing key>\"}]");
            return targets;
        }
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            String targetPath = path + "[" + i + "]";
            if (!(item instanceof MappingNode mapping) || mapping.getValue().size() != 1) {
                yaml.error(item, targetPath, "must be one of slack, pagerduty, email or webhook with its address");
                continue;
            }
            NodeTuple tuple = mapping.getValue().get(0);
            String kind = yaml.scalar(tuple.getKeyNode(), targetPath);
            NotificationTarget.Channel channel = NotificationTarget.Channel.fromWire(kind);
            if (channel == NotificationTarget.Channel.UNKNOWN) {
                yaml.error(tuple.getKeyNode(), targetPath, "unknown target \"" + kind
                        + "\"; use slack, pagerduty, email or webhook");
                continue;
            }
            String address = yaml.scalar(tuple.getValueNode(), targetPath + "." + kind);
            String trimmed = address == null ? "" : address.trim();
            String wrong = wrongAddress(channel, trimmed);
            if (wrong != null) {
                yaml.error(tuple.getValueNode(), targetPath + "." + kind, wrong);
                continue;
            }
            targets.add(new NotificationTarget(channel, trimmed));
        }
        return targets;
    }

    /**
     * What is wrong with an address, or null. Checked here so a typo stops the start instead of failing the page it
     * was meant for; an empty address (an unset variable) is allowed and recorded as "not sent" when it fires. The
     * Slack syntax is the notifier's ({@code SlackTarget}): a channel, then mentions.
     */
    static String wrongAddress(NotificationTarget.Channel channel, String address) {
        if (address.isEmpty()) {
            return null;
        }
        switch (channel) {
            case SLACK -> {
                String[] parts = address.split("\\s+");
                if (!parts[0].matches("#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{6,}")) {
                    return "\"" + parts[0] + "\" is not a Slack channel; use #name (lower case) or a channel id such "
                            + "as C0123ABC, then any mentions";
                }
                for (int i = 1; i < parts.length; i++) {
                    if (!parts[i].matches("<@[UW][A-Z0-9]+>|<!subteam\\^S[A-Z0-9]+>|@here|@channel")) {
                        return "\"" + parts[i] + "\" is not a Slack mention; use <@U…> for a user, <!subteam^S…> for "
                                + "a user group, @here or @channel";
                    }
                }
                return null;
            }
            case EMAIL -> {
                return address.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") ? null
                        : "\"" + address + "\" is not an e-mail address";
            }
            case WEBHOOK -> {
                return address.matches("https?://[^\\s/?#]+.*") ? null
                        : "is not an http(s) URL";
            }
            default -> {
                return null;
            }
        }
    }
}
