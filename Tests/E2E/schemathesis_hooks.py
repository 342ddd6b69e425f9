"""schemathesis hooks for the API's fuzz test: skip generated requests that are not valid HTTP at all
(header names outside RFC 9110's token characters, or values with control characters such as line
breaks and DEL). The HTTP/1 parser refuses those with a bare 400 before the application sees them,
which is right, but is not a response the OpenAPI document can describe."""
import re

import schemathesis

TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def valid_value(value) -> bool:
    return all(c == "\t" or (0x20 <= ord(c) < 0x7F) for c in str(value))


@schemathesis.hook
def filter_headers(ctx, headers):
    return all(TOKEN.match(str(name)) and valid_value(value) for name, value in (headers or {}).items())
