// Sign a portal context token in Node with no package (HS256 is an HMAC-SHA256 over the two parts);
// docs/portal-context.md. tests/unit/test_portal_token.py runs this and verifies what it prints.
//   PORTAL_TOKEN_SECRET=... PORTAL_TOKEN_ISSUER=https://portal.example node docs/examples/sign_portal_token.mjs
import { createHmac } from "node:crypto";

const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: process.env.PORTAL_TOKEN_ISSUER,
  aud: "kp-broker-assistant",
  iat: now,
  exp: now + 15 * 60,
  sub: "broker-1001",
  name: "Dana Reyes",
  groups: [
    {
      id: "bayview",
      name: "Bayview Dental Partners",
      hq_area: "northern_california",
      locations: [{ area: "northern_california", subscribers: 14 }],
    },
  ],
  open_group: "bayview",
};
const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
const signature = createHmac("sha256", process.env.PORTAL_TOKEN_SECRET).update(unsigned).digest("base64url");
console.log(`${unsigned}.${signature}`);
