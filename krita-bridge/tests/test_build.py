"""The plugin zip as Krita 5.1's Tools > Scripts > Import Python Plugin from File reads it.

`KritaImportRules` restates what that importer requires (plugin_importer.py in Krita's pykrita folder): a .desktop
file naming the module in X-KDE-Library and Name, a folder ENTRY `<module>/` in the archive (file entries alone do
not count: "No plugins found in archive") holding `<module>/__init__.py`, and everything under that prefix is what
gets extracted. Where Krita is installed the real importer runs on the zip too (required when CI=true)."""
import builtins
import configparser
import glob
import importlib.util
import os
import tempfile
import unittest
import zipfile

from tests import context  # noqa: F401
import build_plugin

MODULES = ("__init__", "client", "document", "docker", "extension", "generation", "imaging", "worker")
IMPORTER_PATHS = ("/usr/share/krita/pykrita/plugin_importer/plugin_importer.py",
                  "/usr/local/share/krita/pykrita/plugin_importer/plugin_importer.py")


class KritaImportRules:
    """The plugins Krita's importer would find in a zip: a list of (module name, folder entry, extracted files)."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        self.names = self.zip.namelist()

    def plugins(self):
        found = []
        for desktop in (n for n in self.names if n.endswith(".desktop")):
            entry = configparser.ConfigParser()
            entry.read_string(self.zip.read(desktop).decode("utf-8"))
            module = entry["Desktop Entry"]["X-KDE-Library"]
            assert entry["Desktop Entry"]["Name"], "the importer needs a Name"
            folders = [n for n in self.names if n == module + "/" or n.endswith("/" + module + "/")]
            folders = [f for f in folders if f + "__init__.py" in self.names]
            if folders:
                found.append((module, folders[0], sorted(n for n in self.names if n.startswith(folders[0]))))
        return found


def file_entries_only_zip(path):
    """The zip build_plugin.py wrote before the fix: the same files, no folder entries."""
    with zipfile.ZipFile(build_plugin.build(path + ".full")) as full, zipfile.ZipFile(path, "w") as z:
        for n in full.namelist():
            if not n.endswith("/"):
                z.writestr(n, full.read(n))
    return path


def krita_importer():
    """Krita's own PluginImporter class, or None when Krita is not installed here."""
    path = os.environ.get("DIFFUSEJ_KRITA_IMPORTER") or next((p for p in IMPORTER_PATHS if os.path.exists(p)), None)
    if path is None:
        path = next(iter(glob.glob("/usr/share/krita*/pykrita/plugin_importer/plugin_importer.py")), None)
    if path is None:
        return None
    if not hasattr(builtins, "i18n"):  # inside Krita this is Krita's translation function
        builtins.i18n = lambda text: text
    spec = importlib.util.spec_from_file_location("krita_plugin_importer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.zip = build_plugin.build(os.path.join(self.tmp.name, "out", "diffusej_krita.zip"))

    def tearDown(self):
        self.tmp.cleanup()

    def test_zip_has_desktop_file_and_package_at_top_level(self):
        names = zipfile.ZipFile(self.zip).namelist()
        self.assertIn("diffusej_krita.desktop", names)
        self.assertIn("diffusej_krita/", names)
        for module in MODULES:
            self.assertIn("diffusej_krita/%s.py" % module, names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.startswith("tests")], names)

    def test_krita_import_rules_find_the_plugin(self):
        plugins = KritaImportRules(self.zip).plugins()
        self.assertEqual(["diffusej_krita"], [p[0] for p in plugins])
        module, folder, files = plugins[0]
        self.assertEqual("diffusej_krita/", folder)
        for m in MODULES:
            self.assertIn("diffusej_krita/%s.py" % m, files)
        self.assertIn("diffusej_krita/Manual.html", files)

    def test_a_zip_without_folder_entries_is_what_krita_refuses(self):
        old = file_entries_only_zip(os.path.join(self.tmp.name, "old.zip"))
        self.assertEqual([], KritaImportRules(old).plugins())

    def test_krita_own_importer_installs_the_zip(self):
        importer = krita_importer()
        if importer is None:
            if os.environ.get("CI") == "true":
                self.fail("Krita's plugin_importer.py not found although CI=true (.ci/run installs krita)")
            self.skipTest("Krita is not installed: its plugin_importer.py is missing")
        resources = os.path.join(self.tmp.name, "resources")
        os.makedirs(resources)
        imported = importer.PluginImporter(self.zip, resources, lambda plugin: True).import_all()
        self.assertEqual(["diffusej_krita"], [p["name"] for p in imported])
        pykrita = os.path.join(resources, "pykrita")
        self.assertTrue(os.path.isfile(os.path.join(pykrita, "diffusej_krita.desktop")))
        for m in MODULES:
            self.assertTrue(os.path.isfile(os.path.join(pykrita, "diffusej_krita", m + ".py")), m)
        old = file_entries_only_zip(os.path.join(self.tmp.name, "old.zip"))
        with self.assertRaisesRegex(importer.PluginImportError, "No plugins found"):
            importer.PluginImporter(old, resources, lambda plugin: True).import_all()


if __name__ == "__main__":
    unittest.main()
