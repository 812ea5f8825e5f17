// Checks daemon/openapi/openapi.json, and optionally real answers of rollcalld against it.
//   node check.mjs DOCUMENT VERSION [SAMPLES]
// 1. The document against the official OpenAPI 3.1 schema (@seriousme/openapi-schema-validator).
// 2. Its version is the CMake project's; operationIds are unique; each path's {placeholders} are
//    its path parameters.
// 3. Every schema in it compiles with ajv in strict mode (JSON Schema 2020-12, as OpenAPI 3.1
//    uses it): a misspelt keyword or type fails, which the official schema does not catch.
// 4. With SAMPLES (a JSON array of {method, path, status, content_type, body} that
//    tests/integration/openapi_test.cpp writes), each answer has a documented status and media
//    type, and each JSON body validates against its schema, with every object closed
//    (additionalProperties: false unless the schema says otherwise) so that a field the daemon
//    sends but the document does not name fails too.
// Any failure is reported on stderr and exits non-zero.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [docPath, version, samplesPath] = process.argv.slice(2);
if (!docPath || !version) {
  console.error("usage: node check.mjs DOCUMENT VERSION [SAMPLES]");
  process.exit(2);
}

let failures = 0;
function fail(message) {
  failures++;
  console.error(`FAIL ${message}`);
}

// 1. The official schema.
const validator = new Validator();
const result = await validator.validate(docPath);
if (!result.valid)
  fail(`${docPath} does not match the OpenAPI schema:\n${JSON.stringify(result.errors, null, 2)}`);

const doc = JSON.parse(readFileSync(docPath, "utf8"));

// 2. Version, operationIds, path parameters.
if (doc.openapi !== "3.1.0") fail(`openapi is ${doc.openapi}, not 3.1.0`);
if (doc.info?.version !== version)
  fail(`info.version is ${doc.info?.version}, the CMake project's is ${version}`);

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function resolve(node) {
  if (!node || typeof node.$ref !== "string") return node;
  if (!node.$ref.startsWith("#/")) throw new Error(`external $ref ${node.$ref}`);
  let target = doc;
  for (const part of node.$ref.slice(2).split("/"))
    target = target?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return resolve(target);
}

const operationIds = new Map();
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
  for (const method of methods) {
    const op = item[method];
    if (!op) continue;
    const where = `${method.toUpperCase()} ${path}`;
    if (operationIds.has(op.operationId))
      fail(`${where}: operationId ${op.operationId} is also ${operationIds.get(op.operationId)}'s`);
    operationIds.set(op.operationId, where);
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(resolve);
    const inPath = params.filter((p) => p.in === "path");
    const names = inPath.map((p) => p.name).sort();
    if (JSON.stringify(names) !== JSON.stringify(placeholders))
      fail(`${where}: path parameters [${names}] do not match the template's [${placeholders}]`);
    for (const p of inPath) if (p.required !== true) fail(`${where}: path parameter ${p.name} must be required`);
    if (!op.responses || Object.keys(op.responses).length === 0) fail(`${where}: no responses`);
  }
}

// 3. Every schema compiles in strict mode. The component schemas become $defs of one schema
// so that references between them resolve.
const base = "urn:rollcall:openapi";
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node))
    out[k] =
      k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")
        ? `${base}#/$defs/${v.slice("#/components/schemas/".length)}`
        : rewriteRefs(v);
  return out;
}

// Closes every object that lists its properties and says nothing of others (for the samples).
function closeObjects(node) {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "properties" ? mapValues(v, closeObjects) : closeObjects(v);
  if (out.properties && !("additionalProperties" in out) && !("unevaluatedProperties" in out))
    out.additionalProperties = false;
  return out;
}
function mapValues(o, f) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function makeAjv(transform) {
  // strictRequired is off because it also refuses `oneOf: [{required: [a]}, {required: [b]}]`;
  // requiredNamesAreProperties() below checks the usual case instead.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  // OpenAPI's own keywords in a Schema Object.
  ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
  const defs = transform(rewriteRefs(doc.components?.schemas ?? {}));
  try {
    ajv.addSchema({ $id: base, $defs: defs });
  } catch (e) {
    fail(`components.schemas: ${e.message}`);
  }
  return ajv;
}

// A name in `required` that is not among the same object's `properties` is a typo (the schemas
// that allow other properties list every one they require).
function requiredNamesAreProperties(node, where) {
  if (Array.isArray(node)) return node.forEach((v, i) => requiredNamesAreProperties(v, `${where}[${i}]`));
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node.required) && node.properties)
    for (const name of node.required)
      if (!(name in node.properties)) fail(`${where}: required "${name}" is not among its properties`);
  for (const [k, v] of Object.entries(node)) requiredNamesAreProperties(v, `${where}.${k}`);
}
requiredNamesAreProperties(doc.components, "components");
requiredNamesAreProperties(doc.paths, "paths");

const strictAjv = makeAjv((s) => s);
const compiled = new Map();
function compile(ajv, schema, where) {
  try {
    return ajv.compile(rewriteRefs(schema));
  } catch (e) {
    fail(`${where}: the schema does not compile: ${e.message}`);
    return null;
  }
}
for (const name of Object.keys(doc.components?.schemas ?? {}))
  compiled.set(name, compile(strictAjv, { $ref: `#/components/schemas/${name}` }, `components.schemas.${name}`));

// Inline schemas: every "schema" of a parameter, header or media type, wherever it is.
let inlineSchemas = 0;
function walk(node, where) {
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${where}[${i}]`));
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if (k === "schema" && v && typeof v === "object") {
      inlineSchemas++;
      compile(strictAjv, v, `${where}.schema`);
    } else if (!(where === "components" && k === "schemas")) {
      walk(v, `${where}.${k}`);
    }
  }
}
walk(doc.paths, "paths");
walk(doc.components, "components");

console.log(
  `document: ${Object.keys(doc.paths ?? {}).length} paths, ${operationIds.size} operations, ` +
    `${compiled.size} component schemas, ${inlineSchemas} inline schemas`,
);

// 4. Real answers.
if (samplesPath) {
  const samples = JSON.parse(readFileSync(samplesPath, "utf8"));
  if (!Array.isArray(samples) || samples.length < 20) fail(`${samplesPath}: expected at least 20 samples`);
  const closedAjv = makeAjv(closeObjects);
  const templates = Object.keys(doc.paths).map((p) => ({
    path: p,
    placeholders: (p.match(/\{/g) ?? []).length,
    re: new RegExp(
      "^" +
        p
          .split(/(\{[^}]+\})/)
          .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
          .join("") +
        "$",
    ),
  }));
  let checked = 0;
  for (const s of samples) {
    const what = `${s.method} ${s.path} -> ${s.status}`;
    const match = templates.filter((t) => t.re.test(s.path)).sort((a, b) => a.placeholders - b.placeholders)[0];
    if (!match) {
      fail(`${what}: no documented path matches`);
      continue;
    }
    const op = doc.paths[match.path][s.method.toLowerCase()];
    if (!op) {
      fail(`${what}: ${s.method} ${match.path} is not documented`);
      continue;
    }
    const response = resolve(op.responses[String(s.status)] ?? op.responses.default);
    if (!response || !op.responses[String(s.status)]) {
      // "default" covers the unexpected; the calls the test makes all have a documented status.
      fail(`${what}: status ${s.status} is not documented for ${s.method} ${match.path}`);
      continue;
    }
    const content = response.content ?? {};
    const mediaType =
      content[s.content_type] ??
      Object.entries(content).find(([type]) => type.split(";")[0].trim() === s.content_type.split(";")[0].trim())?.[1];
    if (!mediaType) {
      fail(`${what}: content type ${s.content_type} is not documented (${Object.keys(content).join(", ")})`);
      continue;
    }
    if (!/^application\/([a-z.+-]*\+)?json$/.test(s.content_type.split(";")[0].trim())) {
      checked++;
      continue;
    }
    let body;
    try {
      body = JSON.parse(s.body);
    } catch {
      fail(`${what}: the body is not JSON`);
      continue;
    }
    const validate = compile(closedAjv, mediaType.schema, `${what} schema`);
    if (validate && !validate(body)) {
      fail(`${what} (${match.path}): the body does not match its schema:\n` +
           `${JSON.stringify(validate.errors, null, 2)}\nbody: ${s.body}`);
      continue;
    }
    checked++;
  }
  console.log(`samples: ${checked} of ${samples.length} answers match the document`);
}

if (failures > 0) {
  console.error(`${failures} failure(s)`);
  process.exit(1);
}
console.log("openapi: OK");
