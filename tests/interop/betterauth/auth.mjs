// BetterAuth configured the way Stockroom expects a production server to be (docs/design.md §5).
import { betterAuth } from "better-auth";
import { bearer, jwt, organization } from "better-auth/plugins";
import pg from "pg";

const rotation = Number(process.env.JWKS_ROTATION_SECONDS || 0);

// DATABASE_URL (a postgresql:// URL; a socket dir goes in ?host=) or else libpq's PG* variables,
// which node-postgres reads natively.
const url = process.env.DATABASE_URL;
export const pool = new pg.Pool({ ...(url ? { connectionString: url } : {}), max: 5 });

// Stockroom's convention: the token names the active organization and the caller's role in it.
// definePayload only receives {user, session}, so the role comes from the member table.
async function memberRole(userId, organizationId) {
  if (!organizationId) return null;
  const ctx = await auth.$context;
  const member = await ctx.adapter.findOne({
    model: "member",
    where: [
      { field: "organizationId", value: organizationId },
      { field: "userId", value: userId },
    ],
  });
  return member ? member.role : null;
}

// SIGN_IN_LIMIT: BetterAuth's own rate limit on, as in production, with that many sign-ins per
// client address per minute. Behind a proxy (Stockroom's login) the address comes from
// x-forwarded-for, BetterAuth's default ipAddressHeaders.
const signInLimit = Number(process.env.SIGN_IN_LIMIT || 0);
const rateLimit = signInLimit > 0
  ? { enabled: true, storage: "memory", customRules: { "/sign-in/email": { window: 60, max: signInLimit } } }
  : undefined;

export const auth = betterAuth({
  database: pool,
  rateLimit,
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: process.env.BETTER_AUTH_URL,
  emailAndPassword: { enabled: true },
  plugins: [
    jwt({
      jwks: rotation > 0 ? { rotationInterval: rotation, gracePeriod: 3600 } : undefined,
      jwt: {
        definePayload: async ({ user, session }) => ({
          email: user.email,
          org_id: session.activeOrganizationId ?? null,
          org_role: await memberRole(user.id, session.activeOrganizationId),
        }),
      },
    }),
    organization(),
    bearer(),
  ],
});
