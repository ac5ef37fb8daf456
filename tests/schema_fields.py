"""What the JSON tests share: the names a JSON Schema gives fields."""


def field_names(schema):
    """Every property name anywhere in the schema."""
    names = set()
    if isinstance(schema, dict):
        names.update(schema.get("properties", {}))
        for value in schema.values():
            names |= field_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= field_names(value)
    return names
