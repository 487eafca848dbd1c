package io.emailgateway.reparse;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a re-parse did: events scanned, rewritten (changed), left alone (unchanged) and refused by
 * the current parser (failed); of the changed, how many were queued again for the handlers
 * (requeued; the others were still waiting for them); and how often each column changed.
 */
public final class ReparseSummary {
  private long scanned;
  private long changed;
  private long unchanged;
  private long failed;
  private long requeued;
  private final Map<String, Long> changedColumns = new TreeMap<>();

  void countScanned(long count) { scanned += count; }
  void countUnchanged() { unchanged++; }
  void countFailed() { failed++; }
  void countRequeued(long count) { requeued += count; }

  void countChanged(Iterable<String> columns) {
    changed++;
    columns.forEach(column -> changedColumns.merge(column, 1L, Long::sum));
  }

  /** Adds a committed page's counts (a page tried again is counted once, when it commits). */
  void add(ReparseSummary page) {
    scanned += page.scanned;
    changed += page.changed;
    unchanged += page.unchanged;
    failed += page.failed;
    requeued += page.requeued;
    page.changedColumns.forEach((column, count) -> changedColumns.merge(column, count, Long::sum));
  }

  public long scanned() { return scanned; }
  public long changed() { return changed; }
  public long unchanged() { return unchanged; }
  public long failed() { return failed; }
  public long requeued() { return requeued; }
  public Map<String, Long> changedColumns() { return Map.copyOf(changedColumns); }

  @Override
  public String toString() {
    return "scanned " + scanned + ", changed " + changed + " (requeued for handlers " + requeued + "), unchanged "
        + unchanged + ", failed " + failed + (changedColumns.isEmpty() ? "" : "; changed columns " + changedColumns);
  }
}
