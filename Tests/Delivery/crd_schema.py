#!/usr/bin/env python3
"""Turns the BackupPolicy CRD's openAPIV3Schema into a JSON Schema for check-jsonschema.

    python3 Tests/Delivery/crd_schema.py crds/pybak.io_backuppolicies.yaml > backuppolicy.schema.json

The API server prunes unknown fields and, with `kubectl apply`'s strict field validation, rejects
them; a JSON Schema validator would let them through. So every object that lists `properties`
and does not preserve unknown fields gets `additionalProperties: false` here, the way the server
treats it. `x-kubernetes-*` keywords are left in place (JSON Schema validators ignore unknown
keywords); int-or-string fields already carry an `anyOf` of integer and string.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import yaml


def served_schema(crd: dict[str, Any], version: str = "v1alpha1") -> dict[str, Any]:
    """The openAPIV3Schema of one served version of a CRD."""
    for entry in crd["spec"]["versions"]:
        if entry["name"] == version:
            return entry["schema"]["openAPIV3Schema"]
    raise SystemExit(f"crd_schema: the CRD serves no version {version!r}")


def closed(node: Any) -> Any:
    """A copy of a structural schema node with unknown fields refused, recursively."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: closed(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node \
            and not node.get("x-kubernetes-preserve-unknown-fields"):
        result["additionalProperties"] = False
    return result


def json_schema(crd: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema (draft 7) equivalent of the CRD's v1alpha1 schema."""
    schema = closed(copy.deepcopy(served_schema(crd)))
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: crd_schema.py CRD.yaml > schema.json")
    with open(sys.argv[1], encoding="utf-8") as handle:
        crd = yaml.safe_load(handle)
    json.dump(json_schema(crd), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
