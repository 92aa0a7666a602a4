package io.tocsin.notifier.domain;

/**
 * Makes text from alerts safe inside Slack mrkdwn: labels and annotations are written by whoever writes alert rules,
 * and must not mention people, link, or break the message's formatting.
 */
public final class SlackText {

    private static final char ZERO_WIDTH_SPACE = '\u200B';

    private SlackText() {
    }

    /**
     * Escapes {@code & < >} (so no {@code <!channel>}, {@code <@U…>} or {@code <url|text>} survives) and breaks
     * {@code @here}-style words and formatting characters with a zero-width space, so they show as typed.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '@', '*', '_', '~', '`', '#' -> out.append(c).append(ZERO_WIDTH_SPACE);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@link #escape}, cut to at most {@code max} characters with an ellipsis. */
    public static String escape(String text, int max) {
        String plain = text == null ? "" : text;
        if (plain.length() > max) {
            plain = plain.substring(0, Math.max(0, max - 1)) + "…";
        }
        return escape(plain);
    }

    /**
     * A link in mrkdwn, or null when {@code url} is not a plain http(s) URL. Characters that would end the link
     * ({@code | < >}) are percent-encoded; the label is escaped.
     */
    public static String link(String url, String label) {
        if (url == null || !(url.startsWith("https://") || url.startsWith("http://")) || url.length() > 2000) {
            return null;
        }
        for (int i = 0; i < url.length(); i++) {
            if (Character.isWhitespace(url.charAt(i)) || Character.isISOControl(url.charAt(i))) {
                return null;
            }
        }
        String safe = url.replace("&", "&amp;").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E");
        return "<" + safe + "|" + escape(label) + ">";
    }
}
