"""LINE's OpenAPI specs: loaded once, and JSON validated against them with discriminators resolved.

The specs model subtypes as a base schema with a `discriminator` whose children `allOf` the
base. Validators only honour a discriminator inside oneOf/anyOf, so checking against the base
alone lets a text message without `text` through. Here the `discriminator` keyword itself picks
the child schema by the discriminator value and validates against it, recursively; an unknown
value is an error. The child's own `allOf` leads back to the base: that second visit is skipped.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_schema_validator._format import oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_FILES = ("messaging-api.yml", "webhook.yml")
LICENSE_FILE = "LICENSE-line-openapi"
BUNDLED_DIR = Path(__file__).resolve().parent / "specs"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")

_visiting = threading.local()


def spec_dir() -> Path:
    """Where the specs are read from: the bundled copy, or LINE_PLATFORM_DIR when set (a newer copy)."""
    override = os.environ.get("LINE_PLATFORM_DIR")
    return Path(override) if override else BUNDLED_DIR


@dataclass(frozen=True)
class Problem:
    """One way a document breaks the spec or LINE's limits, as an item of LINE's error `details`."""

    property: str
    message: str

    def as_detail(self) -> dict[str, str]:
        """LINE's {"message", "property"} detail object."""
        return {"message": self.message, "property": self.property}


@dataclass(frozen=True)
class Operation:
    """One path and method of the spec, with what a request to it must carry."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[dict, ...]
    body_schema: str | None
    body_media_type: str | None
    body_required: bool


def property_path(parts: Iterable[Any]) -> str:
    """Render a JSON location as LINE does: messages[0].quickReply.items[2].action."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _discriminator(validator, discriminator: dict, instance: Any, schema: dict) -> Iterator[ValidationError]:
    """Validate an object against the child schema its discriminator value names."""
    if not validator.is_type(instance, "object"):
        return
    name = discriminator["propertyName"]
    value = instance.get(name)
    if value is None:
        yield ValidationError(f"{name!r} is a required property", validator="required", path=())
        return
    mapping = discriminator.get("mapping") or {}
    reference = mapping.get(value) if isinstance(value, str) else None
    if reference is None:
        yield ValidationError(f"unknown {name} {value!r}", validator="discriminator", path=(name,))
        return
    visiting = _visiting.__dict__.setdefault("keys", set())
    key = (id(instance), reference)
    if key in visiting:
        return  # the child's allOf came back to this base: the child is already being checked
    visiting.add(key)
    try:
        yield from validator.descend(instance, {"$ref": reference})
    finally:
        visiting.discard(key)


RequestValidator = extend(OAS30WriteValidator, {"discriminator": _discriminator})
ResponseValidator = extend(OAS30ReadValidator, {"discriminator": _discriminator})


def _problem(error: ValidationError) -> Problem:
    """Turn a jsonschema error into LINE's wording, without echoing the document's values."""
    path = list(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        missing = error.message.split(" is a required property")[0]
        with contextlib.suppress(ValueError, SyntaxError):
            path.append(ast.literal_eval(missing))
        return Problem(property_path(path), "must be specified")
    if kind in ("maxItems", "minItems"):
        return Problem(
            property_path(path), f"Size must be between {schema.get('minItems', 0)} and {schema.get('maxItems', 'n')}"
        )
    if kind in ("maxLength", "minLength"):
        return Problem(
            property_path(path),
            f"Length must be between {schema.get('minLength', 0)} and {schema.get('maxLength', 'n')}",
        )
    if kind in ("minimum", "maximum"):
        return Problem(
            property_path(path), f"must be between {schema.get('minimum', '-inf')} and {schema.get('maximum', 'inf')}"
        )
    if kind == "type":
        return Problem(property_path(path), f"must be of type {schema.get('type')}")
    if kind == "enum":
        return Problem(property_path(path), "must be one of " + ", ".join(map(str, schema.get("enum", []))))
    if kind == "discriminator":
        return Problem(property_path(path), "Invalid " + path[-1] if path else "Invalid type")
    if kind == "format":
        return Problem(property_path(path), f"must be a valid {schema.get('format')}")
    if kind == "pattern":
        return Problem(property_path(path), "Invalid format")
    return Problem(property_path(path), f"Invalid value ({kind})")


class Spec:
    """One loaded OpenAPI document: its operations and cached schema validators."""

    def __init__(self, name: str, document: dict):
        """Index the document's schemas; validators are built on first use."""
        self.name = name
        self.document = document
        self.uri = f"urn:line-openapi:{name}"
        self._registry = Registry().with_resource(self.uri, Resource(contents=document, specification=DRAFT4))
        self._validators: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> Spec:
        """Read a spec file."""
        return cls(path.stem, yaml.safe_load(path.read_text(encoding="utf-8")))

    @property
    def schemas(self) -> dict[str, dict]:
        """The components/schemas section."""
        return self.document["components"]["schemas"]

    def _validator(self, schema_name: str, direction: str):
        key = (schema_name, direction)
        with self._lock:
            if key not in self._validators:
                if schema_name not in self.schemas:
                    raise KeyError(f"{self.name} has no schema {schema_name!r}")
                cls = RequestValidator if direction == "request" else ResponseValidator
                self._validators[key] = cls(
                    {"$ref": f"{self.uri}#/components/schemas/{schema_name}"},
                    registry=self._registry,
                    format_checker=oas30_format_checker,
                )
            return self._validators[key]

    def validate(self, schema_name: str, instance: Any, *, direction: str = "request") -> list[Problem]:
        """Every problem of an instance against a named schema (empty when valid), in document order."""
        errors = self._validator(schema_name, direction).iter_errors(instance)
        ordered = sorted(errors, key=lambda e: [(0, p) if isinstance(p, int) else (1, str(p)) for p in e.absolute_path])
        problems = [_problem(error) for error in ordered]
        return list(dict.fromkeys(problems))

    def validate_value(self, schema: dict, value: Any) -> list[Problem]:
        """Problems of a value (a parameter) against an inline schema."""
        validator = RequestValidator(schema, registry=self._registry, format_checker=oas30_format_checker)
        return list(dict.fromkeys(_problem(error) for error in validator.iter_errors(value)))

    def operations(self) -> list[Operation]:
        """Every operation of the spec's paths."""
        found = []
        for path, item in self.document.get("paths", {}).items():
            shared = tuple(item.get("parameters", ()))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                body = operation.get("requestBody") or {}
                content = body.get("content") or {}
                media_type = next(iter(content), None)
                schema = (content.get(media_type) or {}).get("schema") or {}
                reference = schema.get("$ref", "")
                found.append(
                    Operation(
                        operation_id=operation["operationId"],
                        method=method.upper(),
                        path=path,
                        parameters=shared + tuple(operation.get("parameters", ())),
                        body_schema=reference.rsplit("/", 1)[-1] if reference else None,
                        body_media_type=media_type,
                        body_required=bool(body.get("required")),
                    )
                )
        return found


@functools.lru_cache(maxsize=8)
def load_spec(name: str, directory: str | None = None) -> Spec:
    """A spec by file stem ("messaging-api" or "webhook"), parsed once per directory."""
    folder = Path(directory) if directory else spec_dir()
    return Spec.load(folder / f"{name}.yml")


def messaging_api() -> Spec:
    """The Messaging API spec (api.line.me and api-data.line.me)."""
    return load_spec("messaging-api", str(spec_dir()))


def webhook() -> Spec:
    """The webhook spec (what LINE POSTs to the bot)."""
    return load_spec("webhook", str(spec_dir()))
