#!/usr/bin/env python3
"""Builds the installable Krita plugin zip: dist/diffusej_krita.zip holding diffusej_krita.desktop and the
diffusej_krita/ package at its top level, as Krita's Tools > Scripts > Import Python Plugin from File expects.
Krita's importer finds the package by its folder entry (`diffusej_krita/`), so every folder gets one."""
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, "plugin")
PACKAGE = "diffusej_krita"


def build(out_path):
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(PLUGIN, PACKAGE + ".desktop"), PACKAGE + ".desktop")
        for root, dirs, files in os.walk(os.path.join(PLUGIN, PACKAGE)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            folder = os.path.relpath(root, PLUGIN).replace(os.sep, "/") + "/"
            z.writestr(_folder_entry(folder), b"")
            for name in sorted(files):
                if not name.endswith((".pyc", ".pyo")):
                    z.write(os.path.join(root, name), folder + name)
    return out_path


def _folder_entry(name):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o40755 << 16) | 0x10  # a directory (Unix mode and the MS-DOS directory flag)
    return info


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "dist", "diffusej_krita.zip")
    print(build(target))
