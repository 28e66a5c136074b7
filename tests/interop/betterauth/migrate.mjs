// Creates BetterAuth's tables; the `auth` CLI needs Node >= 22, this API works on Node 20.
import { getMigrations } from "better-auth/db/migration";
import { auth, pool } from "./auth.mjs";

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
await pool.end();
