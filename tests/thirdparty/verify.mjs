// Reads the cases rollcall signed (JSON on stdin, from `signature_vectors sign`), checks each with
// the Standard Webhooks and Twilio reference libraries (and that tampered copies fail), then prints
// the libraries' own signatures of the same cases (JSON on stdout) for `signature_vectors verify`.
// First it checks the published example vectors, to show the libraries are called correctly.
// Any failure is reported on stderr and exits non-zero.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import {
  getExpectedTwilioSignature,
  validateRequest,
} from "twilio/lib/webhooks/webhooks.js";

let failures = 0;
let passed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
  } else {
    failures++;
    console.error(`FAIL ${what}`);
  }
}

// Standard Webhooks' verify throws on a mismatch; true when it accepted.
function webhookAccepts(secret, id, timestamp, body, signature) {
  try {
    new Webhook(secret).verify(body, {
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": signature,
    });
    return true;
  } catch {
    return false;
  }
}

// Twilio's libraries take params as an object; a repeated name becomes an array of values.
function paramsObject(pairs) {
  const out = {};
  for (const [name, value] of pairs) {
    if (!Object.hasOwn(out, name)) out[name] = value;
    else if (Array.isArray(out[name])) out[name].push(value);
    else out[name] = [out[name], value];
  }
  return out;
}

function tamperedParams(pairs) {
  if (pairs.length === 0) return [["Extra", "1"]];
  return [[pairs[0][0], pairs[0][1] + "x"], ...pairs.slice(1)];
}

function otherToken(token) {
  return (token[0] === "0" ? "1" : "0") + token.slice(1);
}

// The examples published by Standard Webhooks and Twilio (see shared REFERENCE.md).
function checkPublishedVectors() {
  const sw = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };
  const wh = new Webhook(sw.secret);
  check(
    wh.sign(sw.id, new Date(sw.timestamp * 1000), sw.body) === sw.signature,
    "published Standard Webhooks vector: Webhook#sign differs",
  );
  // The library checks the timestamp against the clock: pretend it is the vector's time.
  const realNow = Date.now;
  Date.now = () => sw.timestamp * 1000;
  try {
    check(
      webhookAccepts(sw.secret, sw.id, String(sw.timestamp), sw.body, sw.signature),
      "published Standard Webhooks vector: Webhook#verify rejects it",
    );
    check(
      !webhookAccepts(sw.secret, sw.id, String(sw.timestamp), sw.body + " ", sw.signature),
      "published Standard Webhooks vector: Webhook#verify accepts a changed body",
    );
  } finally {
    Date.now = realNow;
  }

  const tw = {
    token: "12345",
    url: "https://mycompany.com/myapp.php?foo=1&bar=2",
    params: {
      CallSid: "CA1234567890ABCDE",
      Caller: "+12349013030",
      Digits: "1234",
      From: "+12349013030",
      To: "+18005551212",
    },
    signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
  };
  check(
    getExpectedTwilioSignature(tw.token, tw.url, tw.params) === tw.signature,
    "published Twilio vector: getExpectedTwilioSignature differs",
  );
  check(
    validateRequest(tw.token, tw.signature, tw.url, tw.params),
    "published Twilio vector: validateRequest rejects it",
  );
  check(
    !validateRequest(tw.token, tw.signature, tw.url, { ...tw.params, Digits: "1235" }),
    "published Twilio vector: validateRequest accepts changed params",
  );
}

function checkWebhooks(cases) {
  check(cases.length > 0, "standard_webhooks: rollcall signed no cases");
  for (const c of cases) {
    const what = `standard_webhooks/${c.name}`;
    check(
      webhookAccepts(c.secret, c.id, c.timestamp, c.body, c.signature),
      `${what}: the library rejects rollcall's signature`,
    );
    check(
      !webhookAccepts(c.secret, c.id, c.timestamp, c.body + " ", c.signature),
      `${what}: the library accepts rollcall's signature for a changed body`,
    );
    check(
      !webhookAccepts(c.secret, c.id + "x", c.timestamp, c.body, c.signature),
      `${what}: the library accepts rollcall's signature for another id`,
    );
  }
}

function checkTwilio(cases) {
  check(cases.length > 0, "twilio: rollcall signed no cases");
  for (const c of cases) {
    const what = `twilio/${c.name}`;
    const params = paramsObject(c.params);
    check(
      validateRequest(c.auth_token, c.signature, c.url, params),
      `${what}: validateRequest rejects rollcall's signature`,
    );
    check(
      !validateRequest(c.auth_token, c.signature, c.url, paramsObject(tamperedParams(c.params))),
      `${what}: validateRequest accepts rollcall's signature for changed params`,
    );
    check(
      !validateRequest(otherToken(c.auth_token), c.signature, c.url, params),
      `${what}: validateRequest accepts rollcall's signature under another token`,
    );
  }
}

// The same cases, signed by the libraries now (a fresh timestamp: rollcall checks it too).
function librarySignatures(input) {
  const now = new Date();
  return {
    standard_webhooks: input.standard_webhooks.map((c) => {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      return {
        ...c,
        timestamp,
        signature: new Webhook(c.secret).sign(c.id, now, c.body),
      };
    }),
    twilio: input.twilio.map((c) => ({
      ...c,
      signature: getExpectedTwilioSignature(c.auth_token, c.url, paramsObject(c.params)),
    })),
  };
}

const input = JSON.parse(readFileSync(0, "utf8"));
checkPublishedVectors();
checkWebhooks(input.standard_webhooks);
checkTwilio(input.twilio);
console.error(`verify.mjs: ${passed} passed, ${failures} failed`);
if (failures > 0) process.exit(1);
process.stdout.write(JSON.stringify(librarySignatures(input)) + "\n");
