"""A small JSON Schema validator: just the keywords docs/json-schema.json uses."""

from __future__ import annotations

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def errors(value, schema: dict, root: dict, where: str = "$") -> list[str]:
    """Every way `value` breaks `schema` (empty when it conforms)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(value, root["$defs"][name], root, where)
    found: list[str] = []
    if "type" in schema and not _has_type(value, schema["type"]):
        return [f"{where}: {value!r} is not of type {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        found.append(f"{where}: {value!r} is below {schema['minimum']}")
    if "oneOf" in schema:
        passing = sum(not errors(value, choice, root, where) for choice in schema["oneOf"])
        if passing != 1:
            found.append(f"{where}: {passing} alternatives of oneOf match, not 1")
    if isinstance(value, dict):
        found += _object_errors(value, schema, root, where)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += errors(item, schema["items"], root, f"{where}[{index}]")
    return found


def _has_type(value, name: str | list[str]) -> bool:
    if isinstance(name, list):  # any of the types
        return any(_has_type(value, one) for one in name)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def _object_errors(value: dict, schema: dict, root: dict, where: str) -> list[str]:
    found = [f"{where}: missing {key}" for key in schema.get("required", ()) if key not in value]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            found += errors(item, properties[key], root, f"{where}.{key}")
        elif extra is False:
            found.append(f"{where}: unexpected property {key}")
        elif isinstance(extra, dict):
            found += errors(item, extra, root, f"{where}.{key}")
    return found
