package io.tocsin.ingest.domain;

/**
 * One thing wrong with a request body.
 *
 * @param field where, as a path into the JSON body such as {@code alerts[2].startsAt}; {@code body} for the whole
 * @param problem what is wrong, in words a person fixing the sender's configuration can act on
 */
public record FieldError(String field, String problem) {

    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
