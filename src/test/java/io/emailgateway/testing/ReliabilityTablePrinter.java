package io.emailgateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the reliability table at the end of a test run in which a reliability suite recorded a
 * row, and keeps it in {@code target/reliability/TABLE.md} (registered in
 * {@code META-INF/services}, so both the unit-test and the integration-test runs end with it).
 */
public final class ReliabilityTablePrinter implements TestExecutionListener {
  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    if (!ReliabilityReport.recordedInThisJvm()) {
      return;
    }
    String table = ReliabilityReport.table(ReliabilityReport.load());
    System.out.println("\n=== Reliability (target/reliability/TABLE.md) ===\n" + table);
    try {
      Files.writeString(ReliabilityReport.DIR.resolve("TABLE.md"), table);
    } catch (IOException e) {
      System.out.println("cannot write TABLE.md: " + e);
    }
  }
}
