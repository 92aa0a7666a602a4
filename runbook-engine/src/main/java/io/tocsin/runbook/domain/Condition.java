package io.tocsin.runbook.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A test of a sample value, such as {@code < 0.01} or {@code == 0}. */
public record Condition(String operator, double threshold) {

    private static final Pattern FORM = Pattern
            .compile("\\s*(<=|>=|==|!=|<|>)\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE]-?[0-9]+)?)\\s*");

    /** @throws IllegalArgumentException when {@code text} is not of the form {@code <op> <number>} */
    public static Condition parse(String text) {
        Matcher matcher = FORM.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("\"" + text
                    + "\" is not a condition; use an operator (<, <=, >, >=, ==, !=) and a number, such as \"< 0.01\"");
        }
        return new Condition(matcher.group(1), Double.parseDouble(matcher.group(2)));
    }

    public boolean test(double value) {
        return switch (operator) {
            case "<" -> value < threshold;
            case "<=" -> value <= threshold;
            case ">" -> value > threshold;
            case ">=" -> value >= threshold;
            case "==" -> value == threshold;
            default -> value != threshold;
        };
    }

    @Override
    public String toString() {
        return operator + " " + (threshold == Math.rint(threshold) ? String.valueOf((long) threshold)
                : String.valueOf(threshold));
    }
}
