// Offline validation of rendered Kubernetes manifests (multi-document YAML files):
//  1. every object against the schema of its kind, from the npm packages kubernetes-models
//     (the Kubernetes API's OpenAPI schemas, compiled) and @kubernetes-models/prometheus-operator
//     (the ServiceMonitor and PrometheusRule CRD schemas): types, required fields, enums, formats;
//  2. strictly: a field the schema does not define is an error, as kubectl's --validate=strict
//     makes it (the compiled validators ignore unknown fields, so this script watches which
//     fields a validator reads; an object whose schema names properties but leaves one unread
//     has an unknown field; free-form objects, read by no validator, are left alone);
//  3. the references between the objects: selectors, named ports, the ConfigMap the
//     Deployment mounts, the ServiceMonitor's Service; and what issue 7 asks of the Deployment.
// An object of a kind without a schema here is an error, not a skip.
//
// node validate-k8s.mjs FILE...                 validate; exit 1 on any error
// node validate-k8s.mjs --expect-invalid FILE   self-test: FILE must produce exactly the errors
//                                               listed in its "# expect:" comment lines
//                                               (fixtures/: one for schemas, one for references)
import { readFileSync } from "node:fs";
import YAML from "yaml";

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`
    : `kubernetes-models/${group ?? ""}${group ? "/" : ""}${version}/${kind}`;
  try {
    const module = await import(path);
    return module[kind];
  } catch {
    return null;
  }
}

/** A proxy of the document that records, per object, which keys a validator reads. */
function tracked(value, path, objects) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item, i) => tracked(item, `${path}/${i}`, objects));
  const record = { path, keys: Object.keys(value), read: new Set(), touched: false, enumerated: false };
  objects.push(record);
  const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tracked(v, `${path}/${k}`, objects)]));
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === "string") { record.touched = true; record.read.add(key); }
      return Reflect.get(target, key, receiver);
    },
    has(target, key) { record.touched = true; record.read.add(String(key)); return Reflect.has(target, key); },
    ownKeys(target) { record.touched = true; record.enumerated = true; return Reflect.ownKeys(target); },
  });
}

async function schemaErrors(doc) {
  const Model = await modelFor(doc.apiVersion ?? "", doc.kind ?? "");
  if (!Model) return [`no schema for apiVersion ${doc.apiVersion}, kind ${doc.kind}`];
  const errors = [];
  const objects = [];
  try {
    // The model's validate() runs the compiled schema on `this`: here, the tracking proxy.
    Model.prototype.validate.call(tracked(doc, "", objects));
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    errors.push(...e.errors.map((err) => `${err.instancePath || "/"}: ${err.message}`));
  }
  for (const o of objects) {
    // Untouched: a free-form object (no properties in the schema). Enumerated: a map
    // (additionalProperties), whose keys are all validated.
    if (!o.touched || o.enumerated) continue;
    for (const key of o.keys) if (!o.read.has(key)) errors.push(`${o.path}/${key}: unknown field`);
  }
  return errors;
}

const labelsMatch = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** The references between objects, and the Deployment properties issue 7 asks for. */
function crossErrors(docs) {
  const errors = [];
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const namespaces = new Set(byKind("Namespace").map((n) => n.metadata.name));
  for (const d of docs) {
    const ns = d.metadata?.namespace;
    if (d.kind !== "Namespace" && namespaces.size > 0 && !namespaces.has(ns)) errors.push(`${id(d)}: namespace ${ns} is not in the manifests`);
  }
  const deployments = byKind("Deployment");
  if (deployments.length === 0) return errors;
  for (const deployment of deployments) {
    const spec = deployment.spec;
    const pod = spec.template.spec;
    const where = id(deployment);
    if (!labelsMatch(spec.selector.matchLabels, spec.template.metadata.labels)) errors.push(`${where}: selector does not match the pod labels`);
    if ((spec.replicas ?? 1) < 2) errors.push(`${where}: fewer than 2 replicas`);
    if (pod.securityContext?.runAsNonRoot !== true) errors.push(`${where}: pod securityContext.runAsNonRoot is not true`);
    const preStop = pod.containers.map((c) => Number(c.lifecycle?.preStop?.exec?.command?.at(-1) ?? 0)).reduce((a, b) => Math.max(a, b), 0);
    // The process allows its own shutdown 60 s (Main): the grace period must cover preStop plus that.
    if ((pod.terminationGracePeriodSeconds ?? 30) < preStop + 60) errors.push(`${where}: terminationGracePeriodSeconds shorter than preStop + the 60 s drain`);
    const spread = (pod.topologySpreadConstraints ?? []).map((t) => t.topologyKey);
    if (spread.length === 0) errors.push(`${where}: no topologySpreadConstraints`);
    if (new Set(spread).size !== spread.length) errors.push(`${where}: topologySpreadConstraints repeat a topologyKey`);
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    for (const c of pod.containers) {
      const cw = `${where} container ${c.name}`;
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
        const port = c[probe]?.httpGet?.port;
        if (typeof port === "string" && !ports.has(port)) errors.push(`${cw}: ${probe} names port ${port}, which the container does not have`);
      }
      if (c.readinessProbe?.httpGet?.path !== "/health/ready") errors.push(`${cw}: readiness probe is not /health/ready`);
      if (c.livenessProbe?.httpGet?.path !== "/health/live") errors.push(`${cw}: liveness probe is not /health/live`);
      for (const r of ["cpu", "memory"]) {
        if (!c.resources?.requests?.[r]) errors.push(`${cw}: no ${r} request`);
        if (!c.resources?.limits?.[r]) errors.push(`${cw}: no ${r} limit`);
      }
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) errors.push(`${cw}: root file system is not read-only`);
      if (sc.allowPrivilegeEscalation !== false) errors.push(`${cw}: allowPrivilegeEscalation is not false`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${cw}: capabilities are not all dropped`);
      for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) errors.push(`${cw}: mounts volume ${m.name}, which the pod does not have`);
    }
    for (const v of volumes.values()) {
      if (v.configMap && !byKind("ConfigMap").some((m) => m.metadata.name === v.configMap.name)) {
        errors.push(`${where}: volume ${v.name} mounts ConfigMap ${v.configMap.name}, which is not in the manifests`);
      }
    }
  }
  const pods = deployments.map((d) => ({
    labels: d.spec.template.metadata.labels,
    ports: new Set(d.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort]))),
  }));
  const selects = (selector) => pods.filter((p) => labelsMatch(selector, p.labels));
  for (const s of byKind("Service")) {
    const targets = selects(s.spec.selector);
    if (targets.length === 0) errors.push(`${id(s)}: selector matches no Deployment's pods`);
    for (const port of s.spec.ports) {
      if (!targets.every((p) => p.ports.has(port.targetPort ?? port.port))) errors.push(`${id(s)}: targetPort ${port.targetPort} is not a container port`);
    }
  }
  for (const kind of ["PodDisruptionBudget", "NetworkPolicy"]) {
    for (const o of byKind(kind)) {
      const selector = kind === "NetworkPolicy" ? o.spec.podSelector.matchLabels : o.spec.selector.matchLabels;
      if (selects(selector).length === 0) errors.push(`${id(o)}: selector matches no Deployment's pods`);
    }
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    const ref = h.spec.scaleTargetRef;
    if (!docs.some((d) => d.kind === ref.kind && d.metadata.name === ref.name)) errors.push(`${id(h)}: scales ${ref.kind} ${ref.name}, which is not in the manifests`);
    if (h.spec.minReplicas < 2) errors.push(`${id(h)}: minReplicas below 2`);
  }
  for (const i of byKind("Ingress")) {
    for (const rule of i.spec.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const backend = path.backend.service;
        const service = byKind("Service").find((s) => s.metadata.name === backend.name);
        if (!service) errors.push(`${id(i)}: backend Service ${backend.name} is not in the manifests`);
        else if (!service.spec.ports.some((p) => p.name === backend.port.name || p.port === backend.port.number)) errors.push(`${id(i)}: backend port is not a port of Service ${backend.name}`);
      }
    }
  }
  for (const m of byKind("ServiceMonitor")) {
    const services = byKind("Service").filter((s) => labelsMatch(m.spec.selector.matchLabels, s.metadata.labels));
    if (services.length === 0) errors.push(`${id(m)}: selector matches no Service`);
    for (const e of m.spec.endpoints) {
      if (!services.every((s) => s.spec.ports.some((p) => p.name === e.port))) errors.push(`${id(m)}: endpoint port ${e.port} is not a port of the selected Service`);
    }
  }
  return errors;
}

const id = (d) => `${d.kind}/${d.metadata?.name}`;

async function validateFile(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter((d) => d);
  const errors = [];
  for (const doc of docs) for (const e of await schemaErrors(doc)) errors.push(`${id(doc)}: ${e}`);
  // The reference checks read the objects as the schemas describe them: only once they conform.
  if (errors.length === 0) errors.push(...crossErrors(docs));
  return { docs, errors };
}

const args = process.argv.slice(2);
if (args[0] === "--expect-invalid") {
  const file = args[1];
  const expected = readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("# expect: ")).map((l) => l.slice(10).trim());
  const { errors } = await validateFile(file);
  const missing = expected.filter((e) => !errors.includes(e));
  const unexpected = errors.filter((e) => !expected.includes(e));
  if (missing.length || unexpected.length || expected.length === 0) {
    console.error(`validator self-test FAILED on ${file}`);
    missing.forEach((e) => console.error(`  not reported: ${e}`));
    unexpected.forEach((e) => console.error(`  reported but not expected: ${e}`));
    process.exit(1);
  }
  console.log(`validator self-test: ${file} gives the ${expected.length} expected errors`);
} else {
  let failed = 0;
  for (const file of args) {
    const { docs, errors } = await validateFile(file);
    if (errors.length) {
      failed++;
      console.error(`INVALID ${file}:`);
      errors.forEach((e) => console.error(`  ${e}`));
    } else {
      console.log(`valid: ${file} (${docs.map(id).join(", ")})`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}
