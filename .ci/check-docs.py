#!/usr/bin/env python3
"""Fails when a public symbol in Sources/ has no `///` doc comment.

Checks `public`/`open` declarations, the cases of public enums and the
requirements of public protocols. A declaration counts as documented when the
nearest non-attribute line above it is a `///` line (or ends a `/** */` block).
"""
import pathlib
import re
import sys

DECL_KEYWORDS = r"(func|var|let|init|subscript|case|struct|class|enum|protocol|typealias|associatedtype|actor|extension|static|final|convenience|mutating|nonisolated|indirect|required|override)"
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def strip(line: str) -> str:
    """The line without string literals and line comments, for brace counting."""
    line = STRING.sub('""', line)
    index = line.find("//")
    return line if index < 0 else line[:index]


def documented(lines, index):
    j = index - 1
    while j >= 0 and lines[j].strip().startswith("@"):
        j -= 1
    if j < 0:
        return False
    above = lines[j].strip()
    return above.startswith("///") or above.endswith("*/")


def check(path: pathlib.Path):
    problems = []
    lines = path.read_text(encoding="utf-8").splitlines()
    stack = []  # (kind, is_public) of enclosing type declarations
    pending = None
    in_multiline_string = False
    for index, raw in enumerate(lines):
        if raw.count('"""') % 2 == 1:
            in_multiline_string = not in_multiline_string
            continue
        if in_multiline_string:
            continue
        line = raw.strip()
        code = strip(raw)
        enclosing = stack[-1] if stack else None
        needs_doc = False
        if re.match(r"^(@\w+(\([^)]*\))?\s+)*(public|open)\s", line) and not line.startswith("public import"):
            needs_doc = not re.match(r"^(public|open)\s+extension\b", line)
        elif enclosing == ("enum", True) and line.startswith("case ") and not code.rstrip().endswith(":"):
            needs_doc = True
        elif enclosing == ("protocol", True) and re.match(r"^(static\s+|mutating\s+)*(func|var|init|subscript|associatedtype)\b", line):
            needs_doc = True
        if needs_doc and not documented(lines, index):
            problems.append(f"{path}:{index + 1}: public symbol without a /// comment: {line}")

        declaration = re.search(r"\b(struct|class|enum|protocol|extension|actor)\s+\w", code)
        if declaration and not re.search(r"\bcase\b", code.split(declaration.group(1))[0]):
            pending = (declaration.group(1), bool(re.search(r"\b(public|open)\b", code)) or declaration.group(1) == "extension")
        for character in code:
            if character == "{":
                stack.append(pending if pending else ("block", False))
                pending = None
            elif character == "}" and stack:
                stack.pop()
    return problems


def main():
    problems = []
    for path in sorted(pathlib.Path("Sources").rglob("*.swift")):
        problems += check(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} public symbol(s) lack a /// comment")
        return 1
    print("every public symbol has a /// comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
