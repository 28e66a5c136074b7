"""Hypothesis strategies for what a hostile client sends back in place of our opaque values."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

# JSON a cursor might decode to: wrong types, NUL bytes, lone surrogates, deep nesting.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\udfff", "🦆", "ITEMS", "items", "x" * 80]),
    st.uuids().map(str),
    st.just("2026-03-02T09:00:00+00:00"),
    st.just("2026-03-02T09:00:00"),
)
json_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner)
    ),
    max_leaves=8,
)


def encoded(value: Any) -> str:
    """``value`` as our cursors are written: JSON, base64url, no padding."""
    raw = json.dumps(value, ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


crafted_cursors = st.one_of(
    json_values.map(encoded),
    st.lists(json_values, min_size=1, max_size=4).map(encoded),
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    st.just(encoded(["[" * 600 + "]" * 600])),
    st.just(base64.urlsafe_b64encode(b"[" * 700).decode()),
)


@st.composite
def mutated(draw: st.DrawFn, value: str) -> str:
    """``value`` with a few characters replaced, dropped or added."""
    chars = list(value)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=max(len(chars) - 1, 0)))
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        new = draw(st.characters(min_codepoint=0x20, max_codepoint=0x7E))
        if action == "replace" and chars:
            chars[at] = new
        elif action == "drop" and chars:
            del chars[at]
        else:
            chars.insert(at, new)
    return "".join(chars)
