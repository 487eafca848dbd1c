// Kustomize reads only files under its kustomization directory, so k8s/base carries copies of
// the monitoring files whose sources live under docker/ (where compose mounts them):
//   docker/prometheus/rules/email-webhook-gateway.yml   -> k8s/base/monitoring/prometheus-rule.yaml
//                                                          (the same groups in a PrometheusRule)
//   docker/grafana/dashboards/email-webhook-gateway.json -> k8s/base/monitoring/email-webhook-gateway.json
// node .ci/deploy/sync-monitoring.mjs           writes the copies
// node .ci/deploy/sync-monitoring.mjs --check   writes nothing, fails if a copy is out of date (CI)
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RULES = "docker/prometheus/rules/email-webhook-gateway.yml";
const DASHBOARD = "docker/grafana/dashboards/email-webhook-gateway.json";

function prometheusRule() {
  const rules = YAML.parse(readFileSync(join(root, RULES), "utf8"));
  const resource = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "email-webhook-gateway" },
    spec: { groups: rules.groups },
  };
  return `# Generated from ${RULES} by .ci/deploy/sync-monitoring.mjs: edit that file, then run the script.\n`
    + YAML.stringify(resource, { lineWidth: 0 });
}

const copies = [
  { target: "k8s/base/monitoring/prometheus-rule.yaml", content: prometheusRule() },
  { target: "k8s/base/monitoring/email-webhook-gateway.json", content: readFileSync(join(root, DASHBOARD), "utf8") },
];

const check = process.argv.includes("--check");
let stale = 0;
for (const { target, content } of copies) {
  const path = join(root, target);
  const current = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (current === content) {
    console.log(`up to date: ${target}`);
  } else if (check) {
    console.error(`OUT OF DATE: ${target} differs from its source; run node .ci/deploy/sync-monitoring.mjs`);
    stale++;
  } else {
    writeFileSync(path, content);
    console.log(`written: ${target}`);
  }
}
process.exit(stale === 0 ? 0 : 1);
