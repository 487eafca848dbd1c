// What `docker-compose config` does not check in docker/compose.yaml: that the files it mounts
// and builds from exist, and that Grafana's dashboard provider reads the folder the dashboard
// is mounted at.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const dockerDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docker");
const compose = YAML.parse(readFileSync(join(dockerDir, "compose.yaml"), "utf8"));
const errors = [];
for (const [name, service] of Object.entries(compose.services)) {
  if (service.build) {
    const context = resolve(dockerDir, service.build.context ?? ".");
    if (!existsSync(join(context, service.build.dockerfile ?? "Dockerfile"))) errors.push(`${name}: no Dockerfile at ${service.build.dockerfile}`);
  }
  for (const volume of service.volumes ?? []) {
    const source = String(volume).split(":")[0];
    if (source.startsWith(".") && !existsSync(resolve(dockerDir, source))) errors.push(`${name}: mounts ${source}, which does not exist`);
  }
}
const provider = YAML.parse(readFileSync(join(dockerDir, "grafana/provisioning/dashboards/email-webhook-gateway.yaml"), "utf8"));
const grafanaTargets = (compose.services.grafana?.volumes ?? []).map((v) => String(v).split(":")[1]);
for (const p of provider.providers) {
  if (!grafanaTargets.includes(p.options.path)) errors.push(`grafana: dashboard provider ${p.name} reads ${p.options.path}, where nothing is mounted`);
}
if (errors.length) {
  errors.forEach((e) => console.error(`docker/compose.yaml: ${e}`));
  process.exit(1);
}
console.log("docker/compose.yaml: mounted files and the Grafana dashboard folder are in place");
