#!/usr/bin/env python3
"""Builds the installable Krita plugin zip: dist/diffusej_krita.zip holding diffusej_krita.desktop and the
diffusej_krita/ package at its top level, as Krita's Tools > Scripts > Import Python Plugin from File expects."""
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, "plugin")


def build(out_path):
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(PLUGIN, "diffusej_krita.desktop"), "diffusej_krita.desktop")
        package = os.path.join(PLUGIN, "diffusej_krita")
        for root, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(root, name)
                z.write(path, os.path.relpath(path, PLUGIN))
    return out_path


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "dist", "diffusej_krita.zip")
    print(build(target))
