package dev.dispatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every error the API answers: a message a person can act on and, where one is to blame, the field. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorView(String error, String field) {}
