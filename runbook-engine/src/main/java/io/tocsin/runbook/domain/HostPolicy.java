package io.tocsin.runbook.domain;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where runbook steps may send requests: only to hosts on the allowlist ({@code TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS}:
 * {@code host}, {@code host:port} or {@code *.domain}), and never, allowlisted or not, to a link-local or
 * cloud-metadata address, whatever name resolves to it.
 */
public final class HostPolicy {

    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata",
            "metadata.azure.com", "instance-data", "instance-data.ec2.internal");
    private static final Set<String> METADATA_ADDRESSES = Set.of("169.254.169.254", "fd00:ec2:0:0:0:0:0:254",
            "fd20:ce:0:0:0:0:0:254", "100.100.100.200", "169.254.170.2");

    private final List<String> allowed;

    public HostPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .toList();
    }

    /**
     * Why {@code entry} cannot be an allowlist entry ({@code host}, {@code host:port}, {@code *.domain}, an IPv6
     * address, optionally {@code [address]:port}), or null; a bad entry would otherwise silently match nothing.
     */
    public static String entryProblem(String entry) {
        String text = entry.trim().toLowerCase(Locale.ROOT);
        if (text.contains("/")) {
            return "is a URL or a path, not a host";
        }
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                return "has no closing ]";
            }
            host = text.substring(1, end);
            String rest = text.substring(end + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return "has something other than :port after ]";
            }
            port = rest.isEmpty() ? null : rest.substring(1);
            if (!host.matches("[0-9a-f:.]+") || !host.contains(":")) {
                return "is not an IPv6 address in brackets";
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') != text.lastIndexOf(':')) {
            return text.matches("[0-9a-f:.]+") ? null : "is not a host";
        } else if (text.indexOf(':') >= 0) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (port != null && port(port) < 0) {
            return "has port \"" + port + "\", which is not a port (1-65535)";
        }
        if (text.startsWith("[")) {
            return null;
        }
        String name = host.startsWith("*.") ? host.substring(2) : host;
        String label = "[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?";
        return name.matches(label + "(\\." + label + ")*\\.?") ? null : "is not a host name";
    }

    /** The allowlist as configured. */
    public List<String> allowed() {
        return allowed;
    }

    /** Why {@code uri} may not be called (judged on its name alone), or null. */
    public String refusal(URI uri) {
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            return "only http and https URLs may be called";
        }
        if (uri.getHost() == null) {
            return "the URL has no host";
        }
        if (uri.getRawUserInfo() != null) {
            return "a URL may not carry a user name or password; use a header with a secret";
        }
        String host = stripBrackets(uri.getHost().toLowerCase(Locale.ROOT));
        if (METADATA_NAMES.contains(host)) {
            return "host " + host + " is a cloud metadata service, which runbooks may never call";
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        if (!allowlisted(host, port)) {
            return "host " + host + ":" + port + " is not on the allowlist (TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS"
                    + (allowed.isEmpty() ? " is empty" : ": " + String.join(",", allowed)) + ")";
        }
        return null;
    }

    /** Why a request may not go to {@code address}, which the URL's host resolved to, or null. */
    public String refusal(String host, InetAddress address) {
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null) {
            String refusal = refusal(host, embedded);
            if (refusal != null) {
                return refusal;
            }
        }
        String text = address.getHostAddress().toLowerCase(Locale.ROOT);
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        if (address.isLinkLocalAddress() || METADATA_ADDRESSES.contains(text)) {
            return "host " + host + " resolves to " + text
                    + ", a link-local or cloud-metadata address, which runbooks may never call";
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return "host " + host + " resolves to " + text + ", which is not a host";
        }
        if (address instanceof Inet6Address v6 && v6.getAddress()[0] == (byte) 0xfd && text.startsWith("fd00:ec2")) {
            return "host " + host + " resolves to a cloud-metadata address";
        }
        return null;
    }

    /** The IPv4 address an IPv6 one carries (compatible, NAT64 64:ff9b::/96, or 6to4 2002::/16), or null. */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        int from = -1;
        boolean zeros = true;
        for (int i = 0; i < 12; i++) {
            zeros &= b[i] == 0;
        }
        if (zeros) {
            from = 12;
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
            from = 12;
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            from = 2;
        }
        if (from < 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] { b[from], b[from + 1], b[from + 2], b[from + 3] });
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private boolean allowlisted(String host, int port) {
        for (String entry : allowed) {
            String entryHost = entry;
            Integer entryPort = null;
            int colon = entry.lastIndexOf(':');
            if (colon > 0 && entry.indexOf(':') == colon && entry.substring(colon + 1).matches("[0-9]+")) {
                entryHost = entry.substring(0, colon);
                entryPort = port(entry.substring(colon + 1));
            } else if (entry.startsWith("[") && entry.contains("]:")) {
                entryHost = entry.substring(0, entry.indexOf("]:") + 1);
                entryPort = port(entry.substring(entry.indexOf("]:") + 2));
            }
            entryHost = stripBrackets(entryHost);
            if (entryPort != null && entryPort != port) {
                continue;
            }
            if (entryHost.startsWith("*.") ? host.endsWith(entryHost.substring(1)) : host.equals(entryHost)) {
                return true;
            }
        }
        return false;
    }

    /** A port, or -1 (matching nothing) for a number no port can be. */
    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port > 0 && port < 65536 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
