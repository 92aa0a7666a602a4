package io.tocsin.topics;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The start-up check every service makes of {@code kafka.bootstrap.servers}, by its variable. */
public final class BootstrapServers {

    static final String VARIABLE = "TOCSIN_KAFKA_BOOTSTRAP_SERVERS";

    private static final Pattern SERVER = Pattern.compile("\\[?[A-Za-z0-9._:-]+]?:(\\d{1,5})");

    private BootstrapServers() {
    }

    /** One line per entry that is not {@code host:port}; none when the list is fine. */
    public static List<String> problems(String servers) {
        List<String> problems = new ArrayList<>();
        if (servers == null || servers.isBlank()) {
            problems.add(VARIABLE + ": is empty; host:port[,host:port...]");
            return problems;
        }
        for (String server : servers.split(",", -1)) {
            Matcher matcher = SERVER.matcher(server.trim());
            if (!matcher.matches() || Integer.parseInt(matcher.group(1)) < 1
                    || Integer.parseInt(matcher.group(1)) > 65535) {
                problems.add(VARIABLE + ": \"" + server.trim() + "\" is not host:port (port 1-65535)");
            }
        }
        return problems;
    }
}
