"""Structural-schema processing for custom resources: prune, default, validate.

Follows the order of the real apiextensions server: unknown fields are pruned
(and reported, for ``fieldValidation``), ``default`` values are applied, then the
object is validated. Errors are causes with field paths, shaped like the real
server's 422 messages. CEL rules (``x-kubernetes-validations``) are not evaluated.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

ROOT_FIELDS = {"apiVersion", "kind", "metadata"}


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


class SchemaRun:
    """One pass of a schema over a value, collecting causes and unknown-field paths."""

    def __init__(self) -> None:
        self.causes: list[dict[str, str]] = []
        self.unknown: list[str] = []

    def error(self, path: str, reason: str, message: str) -> None:
        """Record one validation failure."""
        self.causes.append({"field": path, "reason": reason, "message": message})

    # ------------------------------------------------------------------
    def process(self, value: Any, schema: dict[str, Any], path: str, root: bool = False) -> Any:
        """Prune, default and validate ``value`` in place; return the (possibly new) value."""
        if not schema:
            return value
        if value is None:
            if not schema.get("nullable"):
                self.error(path, "FieldValueTypeInvalid",
                           f'Invalid value: "null": {path} in body must be of type {schema.get("type", "object")}: "null"')
            return value
        for sub in schema.get("allOf", []):
            value = self.process(value, sub, path)
        if "anyOf" in schema and not any(self._quiet_ok(value, s) for s in schema["anyOf"]):
            self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body must match at least one schema in anyOf")
        if "oneOf" in schema and sum(1 for s in schema["oneOf"] if self._quiet_ok(value, s)) != 1:
            self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body must validate one and only one schema (oneOf)")
        if not self._check_type(value, schema, path):
            return value
        if isinstance(value, dict):
            value = self._process_object(value, schema, path, root)
        elif isinstance(value, list):
            self._process_array(value, schema, path)
        else:
            self._check_scalar(value, schema, path)
        if "enum" in schema and value not in schema["enum"]:
            supported = ", ".join(_show(v) for v in schema["enum"])
            self.error(path, "FieldValueNotSupported", f"Unsupported value: {_show(value)}: supported values: {supported}")
        return value

    def _quiet_ok(self, value: Any, schema: dict[str, Any]) -> bool:
        probe = SchemaRun()
        probe.process(copy.deepcopy(value), schema, "x")
        return not probe.causes

    def _check_type(self, value: Any, schema: dict[str, Any], path: str) -> bool:
        if schema.get("x-kubernetes-int-or-string"):
            ok = (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)
            want = "integer or string"
        else:
            want = schema.get("type")
            if want is None:
                return True
            ok = {
                "object": isinstance(value, dict),
                "array": isinstance(value, list),
                "string": isinstance(value, str),
                "boolean": isinstance(value, bool),
                "integer": (isinstance(value, int) and not isinstance(value, bool))
                or (isinstance(value, float) and value.is_integer()),
                "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            }.get(want, True)
        if not ok:
            got = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), "unknown")
            self.error(path, "FieldValueTypeInvalid", f'Invalid value: "{got}": {path} in body must be of type {want}: "{got}"')
        return ok

    def _process_object(self, value: dict[str, Any], schema: dict[str, Any], path: str, root: bool) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        additional = schema.get("additionalProperties")
        preserve = schema.get("x-kubernetes-preserve-unknown-fields") or schema.get("x-kubernetes-embedded-resource")
        for key in list(value):
            child = f"{path}.{key}" if path else key
            if root and key in ROOT_FIELDS:
                continue
            if key in props:
                if value[key] is None and not props[key].get("nullable"):
                    del value[key]  # nulls of non-nullable fields are pruned before defaulting
            elif isinstance(additional, dict):
                value[key] = self.process(value[key], additional, child)
            elif additional is True or preserve:
                continue
            else:
                self.unknown.append(child)
                del value[key]
        for key, sub in props.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        for key, sub in props.items():
            if key in value and not (root and key in ROOT_FIELDS):
                value[key] = self.process(value[key], sub, f"{path}.{key}" if path else key)
        for key in schema.get("required", []):
            if key not in value:
                self.error(f"{path}.{key}" if path else key, "FieldValueRequired", "Required value")
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            self.error(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {schema['minProperties']} properties")
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            self.error(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {schema['maxProperties']} items")
        return value

    def _process_array(self, value: list[Any], schema: dict[str, Any], path: str) -> None:
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                value[i] = self.process(item, items, f"{path}[{i}]")
        if "minItems" in schema and len(value) < schema["minItems"]:
            self.error(path, "FieldValueInvalid", f"Invalid value: {len(value)}: {path} in body should have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            self.error(path, "FieldValueTooMany", f"Too many: {len(value)}: must have at most {schema['maxItems']} items")
        if schema.get("uniqueItems"):
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(seen) != len(set(seen)):
                self.error(path, "FieldValueDuplicate", "Duplicate value")

    def _check_scalar(self, value: Any, schema: dict[str, Any], path: str) -> None:
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should match '{schema['pattern']}'")
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                self.error(path, "FieldValueTooLong", f"Too long: may not be more than {schema['maxLength']} bytes")
            if "minLength" in schema and len(value) < schema["minLength"]:
                self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be at least {schema['minLength']} chars long")
            if schema.get("format") == "date-time" and not re.fullmatch(
                    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
                self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body must be of type date-time: {_show(value)}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema:
                low = schema["minimum"]
                if value < low or (schema.get("exclusiveMinimum") is True and value == low):
                    self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be greater than or equal to {low}")
            if "maximum" in schema:
                high = schema["maximum"]
                if value > high or (schema.get("exclusiveMaximum") is True and value == high):
                    self.error(path, "FieldValueInvalid", f"Invalid value: {_show(value)}: {path} in body should be less than or equal to {high}")


def apply_schema(obj: dict[str, Any], schema: dict[str, Any]) -> SchemaRun:
    """Prune, default and validate a whole object against a CRD ``openAPIV3Schema`` (in place)."""
    run = SchemaRun()
    run.process(obj, schema, "", root=True)
    return run
