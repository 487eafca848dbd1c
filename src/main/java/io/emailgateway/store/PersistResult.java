package io.emailgateway.store;

/** Sent back after COMMIT: how many of the request's events were new and how many already stored. */
public record PersistResult(int accepted, int duplicates) {}
