package io.tocsin.escalation.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.tocsin.auth.Credentials;
import io.tocsin.escalation.domain.policy.PolicyFileException;
import io.tocsin.topics.BootstrapServers;

/**
 * Every problem in escalation's configuration, found before it reads a single record: one line each, naming the
 * variable or the policy file's {@code file:line} (and the variable that filled the value in, if one did). A mistake
 * here must stop the start; found at run time it would cost alerts.
 */
public final class ConfigurationCheck {

    static final String TOKENS = "TOCSIN_API_TOKENS";

    private static final Pattern PROBLEM_LINE = Pattern.compile("^(.+?):(\\d+): ");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");

    private ConfigurationCheck() {
    }

    /**
     * @param kafkaServers {@code kafka.bootstrap.servers}
     * @param environment looks up the policy file's variables ({@link System#getenv(String)} in production)
     */
    public static List<String> problems(EscalationConfig config, String kafkaServers,
            Function<String, String> environment) {
        List<String> problems = new ArrayList<>();
        policy(config, environment, problems);
        problems.addAll(Credentials.problems(config.apiTokens().orElse(null), TOKENS));
        positive(config.timerInterval(), "TOCSIN_ESCALATION_TIMER_INTERVAL", problems);
        if (config.flapWindow().isNegative()) {
            problems.add("TOCSIN_ESCALATION_FLAP_WINDOW: is " + config.flapWindow() + "; it must not be negative");
        }
        if (config.timerAttempts() < 1) {
            problems.add("TOCSIN_ESCALATION_TIMER_ATTEMPTS: is " + config.timerAttempts() + "; at least 1");
        }
        if (config.groupBy().isEmpty() || config.groupBy().stream().anyMatch(label -> label.isBlank()
                || List.of(label.split("\\|", -1)).stream().anyMatch(String::isBlank))) {
            problems.add("TOCSIN_ESCALATION_GROUP_BY: is \"" + String.join(",", config.groupBy())
                    + "\"; a list of labels such as alertname,service|job (no empty ones)");
        }
        problems.addAll(BootstrapServers.problems(kafkaServers));
        return problems;
    }

    /** @throws ConfigurationException when there is any problem, having logged nothing */
    public static void require(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigurationException("escalation refuses to start: " + problems.size()
                    + " configuration problem" + (problems.size() == 1 ? "" : "s") + ": " + String.join("; ",
                            problems));
        }
    }

    private static void policy(EscalationConfig config, Function<String, String> environment,
            List<String> problems) {
        PolicySource source;
        try {
            source = PolicySource.of(config);
        } catch (ConfigurationException e) {
            problems.add(e.getMessage());
            return;
        }
        try {
            source.parse(environment);
        } catch (PolicyFileException e) {
            String[] lines = source.text().split("\n", -1);
            for (String problem : e.problems()) {
                problems.add(problem + filledInBy(problem, lines, environment));
            }
        }
    }

    /** The variables, set in the environment, that the problem's line of the file uses: the likelier culprit. */
    private static String filledInBy(String problem, String[] lines, Function<String, String> environment) {
        Matcher at = PROBLEM_LINE.matcher(problem);
        if (!at.find()) {
            return "";
        }
        int line = Integer.parseInt(at.group(2));
        if (line < 1 || line > lines.length) {
            return "";
        }
        Set<String> set = new LinkedHashSet<>();
        Matcher variable = VARIABLE.matcher(lines[line - 1]);
        while (variable.find()) {
            if (environment.apply(variable.group(1)) != null) {
                set.add(variable.group(1));
            }
        }
        return set.isEmpty() ? "" : " (the value comes from " + String.join(", ", set) + ")";
    }

    private static void positive(Duration duration, String setting, List<String> problems) {
        if (duration.isZero() || duration.isNegative()) {
            problems.add(setting + ": is " + duration + "; it must be longer than zero");
        }
    }
}
