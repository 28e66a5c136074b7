"""Webhooks: endpoints managed by admins, and the worker that delivers the feed to them."""
