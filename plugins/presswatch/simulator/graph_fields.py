"""Graph API's ``fields`` syntax: ``id,name,media.after(QVFI).limit(25){id,caption}``.

A field is a name, any number of ``.modifier(argument)`` calls, and optionally ``{subfields}``
(for an edge or a nested node such as ``business_discovery.username(adliyauz){...}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NAME = re.compile(r"[A-Za-z0-9_]+")


class FieldSyntaxError(ValueError):
    def __init__(self, text: str, position: int, expected: str) -> None:
        found = repr(text[position]) if position < len(text) else "end of string"
        super().__init__(
            f'Syntax error "Expected {expected} instead of {found}." at character {position}: '
            f"{text}"
        )


@dataclass(frozen=True)
class FieldSpec:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    children: tuple[FieldSpec, ...] | None = None

    def __str__(self) -> str:
        text = self.name + "".join(f".{key}({value})" for key, value in self.modifiers.items())
        if self.children is not None:
            text += "{" + format_fields(self.children) + "}"
        return text


def format_fields(specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> str:
    return ",".join(str(spec) for spec in specs)


def parse_fields(text: str) -> tuple[FieldSpec, ...]:
    parser = _Parser(text)
    specs = parser.field_list(closing=None)
    return specs


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def _skip_spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def _peek(self) -> str:
        self._skip_spaces()
        return self.text[self.position] if self.position < len(self.text) else ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise FieldSyntaxError(self.text, self.position, f'"{char}"')
        self.position += 1

    def _name(self) -> str:
        self._skip_spaces()
        match = NAME.match(self.text, self.position)
        if match is None:
            raise FieldSyntaxError(self.text, self.position, "a field name")
        self.position = match.end()
        return match.group()

    def field_list(self, closing: str | None) -> tuple[FieldSpec, ...]:
        specs: list[FieldSpec] = []
        while True:
            next_char = self._peek()
            if next_char == ",":  # Graph tolerates empty entries such as "id,,name".
                self.position += 1
                continue
            if next_char == (closing or ""):
                if closing is not None:
                    self.position += 1
                return tuple(specs)
            specs.append(self._field())
            after = self._peek()
            if after == ",":
                self.position += 1
            elif after != (closing or ""):
                expected = f'"," or "{closing}"' if closing else '"," or end of string'
                raise FieldSyntaxError(self.text, self.position, expected)

    def _field(self) -> FieldSpec:
        name = self._name()
        modifiers: dict[str, str] = {}
        while self._peek() == ".":
            self.position += 1
            modifier = self._name()
            self._expect("(")
            end = self.text.find(")", self.position)
            if end < 0:
                raise FieldSyntaxError(self.text, len(self.text), '")"')
            modifiers[modifier] = self.text[self.position : end].strip()
            self.position = end + 1
        children = None
        if self._peek() == "{":
            self.position += 1
            children = self.field_list(closing="}")
        return FieldSpec(name, modifiers, children)
