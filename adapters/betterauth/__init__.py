"""BetterAuth identity: JWKS cache, token verifier, dev issuer and login client."""
