package io.tocsin.ingest.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tocsin.ingest.domain.FieldError;

/**
 * An RFC 9457 problem details body ({@code application/problem+json}), with the fields at fault in {@code errors}.
 *
 * @param type a URN naming the kind of problem, stable for clients to branch on
 * @param title a short summary of the kind
 * @param status the HTTP status
 * @param detail this occurrence, in words
 * @param instance the request path
 * @param errors each field at fault and what is wrong with it
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    /** The media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";
}
