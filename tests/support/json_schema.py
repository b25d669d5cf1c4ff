"""A small JSON Schema checker for the keywords the repository's schemas use (type, properties,
required, additionalProperties, patternProperties, items, enum, the length, size and range
bounds, pattern, uniqueItems and local ``$ref``): ``jsonschema`` is not among the dependencies,
and the manifest schema needs no more than this. An unknown keyword is an error, so a schema
cannot quietly ask for a check that is not made."""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
_ANNOTATIONS = frozenset({"$schema", "title", "description", "$defs", "default", "examples"})
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "items",
        "enum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "maxProperties",
        "minimum",
        "$ref",
    }
)


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``instance`` breaks ``schema``, as "path: what"; empty when it conforms."""
    errors: list[str] = []
    _check(instance, schema, schema, "$", errors)
    return errors


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, errors: list[str]) -> None:
    unknown = schema.keys() - _KEYWORDS - _ANNOTATIONS
    if unknown:
        raise ValueError(f"schema at {path} uses keywords this checker does not know: {sorted(unknown)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        _check(value, root["$defs"][ref.removeprefix("#/$defs/")], root, path, errors)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, name) for name in names):
            errors.append(f"{path}: {value!r:.60} is not of type {'/'.join(names)}")
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r:.60} is not one of {schema['enum']}")
    if isinstance(value, str):
        _check_string(value, schema, path, errors)
    elif isinstance(value, list):
        _check_array(value, schema, root, path, errors)
    elif isinstance(value, dict):
        _check_object(value, schema, root, path, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} is less than {schema['minimum']}")


def _check_string(value: str, schema: dict[str, Any], path: str, errors: list[str]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{path}: shorter than {schema['minLength']} characters ({len(value)})")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        errors.append(f"{path}: longer than {schema['maxLength']} characters ({len(value)})")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r:.60} does not match {schema['pattern']}")


def _check_array(value: list[Any], schema: dict[str, Any], root: dict[str, Any], path: str, errors: list[str]) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        errors.append(f"{path}: more than {schema['maxItems']} items")
    if schema.get("uniqueItems") and len({repr(item) for item in value}) != len(value):
        errors.append(f"{path}: items are not unique")
    if "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], root, f"{path}[{index}]", errors)


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str, errors: list[str]
) -> None:
    for name in schema.get("required", ()):
        if name not in value:
            errors.append(f"{path}: {name} is required")
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        errors.append(f"{path}: more than {schema['maxProperties']} properties")
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for name, item in value.items():
        where = f"{path}.{name}"
        matched = False
        if name in properties:
            matched = True
            _check(item, properties[name], root, where, errors)
        for pattern, subschema in patterns.items():
            if re.search(pattern, name):
                matched = True
                _check(item, subschema, root, where, errors)
        if matched:
            continue
        extra = schema.get("additionalProperties", True)
        if extra is False:
            errors.append(f"{path}: {name} is not allowed here")
        elif isinstance(extra, dict):
            _check(item, extra, root, where, errors)
