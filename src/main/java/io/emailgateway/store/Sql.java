package io.emailgateway.store;

/** Every statement of the ingest path, in one place. */
final class Sql {
  private Sql() {}

  /**
   * One statement for a whole group commit, so it costs one round trip and commits on its own
   * (an implicit transaction: both inserts or neither, COMMIT before the answer arrives). Each
   * column arrives as one array parameter and {@code unnest} turns them back into rows. Duplicates
   * (already stored, or twice in this batch) are skipped by {@code ON CONFLICT DO NOTHING};
   * {@code RETURNING} names the rows that are new, and the outbox row lists their ids (no outbox row
   * when nothing is new). PostgreSQL arrays cannot nest, so the JSON columns travel as JSON text
   * and each event's tags as a text-array literal ({@link TextArrays}), turned back by a cast — a
   * per-row jsonb subquery cost the server more. Rows are inserted in key order so that two group commits with overlapping keys (an
   * ESP retry racing its original in the other transaction in flight) take their index locks in the same
   * order and wait for each other instead of deadlocking.
   */
  static final String INSERT_EVENTS = """
      WITH inserted AS (
        INSERT INTO events (source, provider, event_key, type, bounce_type, reject_reason, occurred_at,
                            message_id, recipient, sender, subject, tags, metadata, click_url, user_agent,
                            ip, mta_response, description, esp_event, parser_version)
        SELECT u.source, u.provider, u.event_key, u.type, u.bounce_type, u.reject_reason, u.occurred_at,
               u.message_id, u.recipient, u.sender, u.subject,
               u.tags::text[], u.metadata::jsonb,
               u.click_url, u.user_agent, u.ip, u.mta_response, u.description, u.esp_event::jsonb,
               u.parser_version
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                      $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                      $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                      $19::text[], $20::int[])
               AS u(source, provider, event_key, type, bounce_type, reject_reason, occurred_at,
                    message_id, recipient, sender, subject, tags, metadata, click_url, user_agent, ip,
                    mta_response, description, esp_event, parser_version)
         ORDER BY u.source, u.event_key
        ON CONFLICT (source, event_key) DO NOTHING
        RETURNING id, source, event_key),
      outbox_row AS (
        INSERT INTO outbox (event_ids) SELECT array_agg(id ORDER BY id) FROM inserted HAVING count(*) > 0)
      SELECT source, event_key FROM inserted""";
}
