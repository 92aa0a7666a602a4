package io.tocsin.ingest.domain;

import java.util.List;

/** A request body that Tocsin will not accept, with every problem found in it. */
public class InvalidPayloadException extends RuntimeException {

    private final transient List<FieldError> errors;

    public InvalidPayloadException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid payload" : errors.get(0).toString(), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public InvalidPayloadException(String field, String problem) {
        this(List.of(new FieldError(field, problem)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
