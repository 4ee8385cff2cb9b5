"""schemathesis hooks for .ci/schemathesis: JSON Lines, the media type of a ledger
import (`POST .../import`) and export, one JSON value per line."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def json_lines(ctx, value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    records = value if isinstance(value, list) else [value]
    return "".join(json.dumps(record) + "\n" for record in records).encode("utf-8")


@schemathesis.deserializer("application/x-ndjson")
def json_lines_answer(ctx, response):
    # The document gives the schema of one line: check the first record after the header.
    # Split on "\n" only: str.splitlines() also splits on the Unicode line separators a
    # JSON string may hold unescaped.
    lines = [line for line in response.content.decode("utf-8").split("\n") if line.strip()]
    return json.loads(lines[1]) if len(lines) > 1 else json.loads(lines[0])
