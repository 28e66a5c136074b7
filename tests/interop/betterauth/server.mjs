// Test-only BetterAuth server: the real handler plus one admin route guarded by the secret.
import { createServer } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { toNodeHandler } from "better-auth/node";
import { auth } from "./auth.mjs";

const handler = toNodeHandler(auth);
const secret = Buffer.from(process.env.BETTER_AUTH_SECRET ?? "");

function authorized(req) {
  const given = Buffer.from(req.headers["x-admin-secret"] ?? "");
  return secret.length > 0 && given.length === secret.length && timingSafeEqual(given, secret);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

// addMember has no HTTP route in BetterAuth (server-only API), so tests reach it here.
async function addMember(req, res) {
  if (!authorized(req)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const { userId, organizationId, role } = await readJson(req);
    const member = await auth.api.addMember({ body: { userId, organizationId, role } });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(member));
  } catch (err) {
    res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: String(err) }));
  }
}

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/test-admin/add-member") return void addMember(req, res);
  return handler(req, res);
});

const port = Number(process.env.PORT || 3000);
server.listen(port, "127.0.0.1", () => console.log(`better-auth listening on ${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
