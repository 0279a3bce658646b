#!/usr/bin/env python3
"""Adds or replaces catalog keys in both languages, keeping the files sorted, one key a line.
Usage: scripts/catalog-add.py keys.json, where keys.json is {"key": ["français", "English"], ...}."""
import json, sys, pathlib
root = pathlib.Path(__file__).resolve().parent.parent / "Resources" / "Localization"
additions = json.load(open(sys.argv[1], encoding="utf-8"))
for index, language in enumerate(["fr", "en"]):
    path = root / f"{language}.json"
    catalog = json.load(open(path, encoding="utf-8"))
    for key, texts in additions.items():
        catalog[key] = texts[index]
    lines = [f" {json.dumps(k, ensure_ascii=False)}: {json.dumps(catalog[k], ensure_ascii=False)}" for k in sorted(catalog)]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
