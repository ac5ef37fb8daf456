"""What the JSON tests share: the properties a JSON Schema describes."""


def properties(schema, path=""):
    """Every property anywhere in the schema, as (path, its subschema)."""
    found = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found.append((f"{path}/properties/{name}", sub))
        for key, value in schema.items():
            found += properties(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += properties(value, f"{path}/{i}")
    return found


def undescribed(schema):
    """The properties without a description of their own: the schema is
    where a field's meaning is written, once."""
    return [path for path, sub in properties(schema)
            if not (isinstance(sub, dict) and
                    isinstance(sub.get("description"), str) and
                    sub["description"].strip())]


def every_property_described(schema):
    """(good, lines): every property has a description, and the check
    itself would notice one taken away."""
    paths = properties(schema)
    missing = undescribed(schema)
    lines = [f"no description: {path}" for path in missing]
    probe_ok = False
    if paths:
        # Take the description off the last property and look again.
        path, sub = paths[-1]
        saved = sub.pop("description", None)
        probe_ok = path in undescribed(schema)
        if saved is not None:
            sub["description"] = saved
    if not probe_ok:
        lines.append("the check did not notice a description taken away")
    lines.append(f"{len(paths)} properties, {len(missing)} without a description")
    return bool(paths) and not missing and probe_ok, lines
