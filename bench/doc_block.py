"""Writes a benchmark's result into docs/performance.md: replaces the block between its markers
(<!-- NAME:BEGIN ... --> ... <!-- NAME:END -->), or appends the block when the document has none yet.
Used by every script in bench/ (on PYTHONPATH=bench)."""
import os
import re


def write_block(path, name, block):
    doc = open(path).read() if os.path.exists(path) else ""
    pattern = r"<!-- %s:BEGIN.*?<!-- %s:END -->" % (name, name)
    if re.search(pattern, doc, flags=re.S):
        doc = re.sub(pattern, lambda _: block, doc, flags=re.S)
    else:
        doc += "\n" + block + "\n"
    with open(path, "w") as out:
        out.write(doc)
