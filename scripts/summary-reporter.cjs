// Mocha reporter: the usual spec output, plus the run's real counts appended as one JSON line to the file named by
// CUTOVER_TEST_SUMMARY, so scripts/test.sh can print "N passed, N failed" from what actually ran.
const fs = require("node:fs");
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const target = process.env.CUTOVER_TEST_SUMMARY;
      if (!target) return;
      const { passes, failures, pending } = this.stats;
      fs.appendFileSync(
        target,
        JSON.stringify({ suite: process.env.CUTOVER_SUITE ?? "mocha", passes, failures, pending }) + "\n",
      );
    });
  }
}

module.exports = SummaryReporter;
