"""Webhook delivery's outside world: secrets at rest, destination rules, the signed HTTP call."""
