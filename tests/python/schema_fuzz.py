"""Schemathesis hooks for the schema-driven fuzzing test (`tests/tests/suite/schema_fuzz.rs`).

Loaded with `SCHEMATHESIS_HOOKS=schema_fuzz` from this directory. It teaches the fuzzer the
API's custom scalars (valid values and near misses), and adds the check the suite holds every
answer to: a client's mistake is a typed client error, never a server fault.
"""

import datetime
import json
import re

import schemathesis
from hypothesis import strategies as st
from hypothesis_graphql import nodes

# Calendar dates, with near misses the server must refuse as the client's mistake.
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-30", "2023-02-29", "0000-01-01", "2024-1-1", "", "24-01-01",
                     "2024-13-01", "+12024-01-01", "2024-01-01T00:00:00Z"]),
)
INSTANTS = st.one_of(
    st.datetimes(timezones=st.just(datetime.timezone.utc)).map(lambda d: d.isoformat()),
    st.sampled_from(["2024-01-01", "2024-01-01T25:00:00Z", "yesterday", ""]),
)
# Positions are 64-bit: sent as numbers or as strings of digits.
POSITIONS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(nodes.Int),
    st.integers(min_value=-10, max_value=10**15).map(str).map(nodes.String),
    st.sampled_from(["", "1e3", "0x10", "99999999999999999999999"]).map(nodes.String),
)

schemathesis.graphql.scalar("NaiveDate", DATES.map(nodes.String))
schemathesis.graphql.scalar("DateTime", INSTANTS.map(nodes.String))
schemathesis.graphql.scalar("Position", POSITIONS)
schemathesis.graphql.scalar("JSON", st.text(max_size=20).map(nodes.String))

# Text that belongs to the server, not to its answers: SQL, Rust source paths, panics.
INTERNAL_TEXT = re.compile(
    r"sqlx|SQLSTATE|syntax error at or near|relation \"|violates .* constraint|panicked|"
    r"\.rs:\d|/src/|/home/|/root/|/tmp/|called `(Option|Result)::unwrap",
    re.IGNORECASE,
)


# Refusals of an argument's value: they name the argument (`extensions.argument`).
ABOUT_AN_ARGUMENT = {"BAD_USER_INPUT", "INVALID_ID", "INVALID_CURSOR", "PAGE_TOO_LARGE",
                     "INVALID_VALUE", "UNKNOWN_MUNICIPALITY", "UNKNOWN_PROVINCE"}


@schemathesis.check
def typed_client_errors(ctx, response, case):
    """Every answer is JSON; every error has a code, and names the argument at fault when it
    is about one; none is the server's fault."""
    if response.status_code >= 500:
        raise AssertionError(f"server error {response.status_code}: {response.text[:500]}")
    try:
        body = json.loads(response.text)
    except ValueError as e:
        raise AssertionError(f"the answer is not JSON ({e}): {response.text[:500]}")
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        raise AssertionError(f"not a GraphQL answer: {response.text[:500]}")
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            raise AssertionError(f"an error without a code: {error}")
        if code == "INTERNAL":
            raise AssertionError(f"INTERNAL for a client's input: {error}")
        if INTERNAL_TEXT.search(error.get("message", "")):
            raise AssertionError(f"internal text reaches the client: {error}")
        about_an_argument = code in ABOUT_AN_ARGUMENT or (
            code == "GRAPHQL_VALIDATION_FAILED" and 'argument "' in error.get("message", ""))
        if about_an_argument and not (error.get("extensions") or {}).get("argument"):
            raise AssertionError(f"a refused argument value that names no argument: {error}")
