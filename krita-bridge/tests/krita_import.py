"""Installs a plugin zip with Krita's own importer, as Tools > Scripts > Import Python Plugin from File does:
`python3 -m tests.krita_import ZIP RESOURCES_DIR` (RESOURCES_DIR is Krita's getAppDataLocation(), e.g.
~/.local/share/krita). Fails when Krita's importer is missing or finds no plugin."""
import sys

from tests.test_build import krita_importer


def main(zip_path, resources_dir):
    importer = krita_importer()
    if importer is None:
        sys.exit("Krita's plugin_importer.py was not found (is Krita installed?)")
    imported = importer.PluginImporter(zip_path, resources_dir, lambda plugin: True).import_all()
    print("Krita's importer installed: %s" % ", ".join(p["name"] for p in imported))


if __name__ == "__main__":
    main(*sys.argv[1:3])
