import os
import tempfile
import unittest
import zipfile

from tests import context  # noqa: F401
import build_plugin


class BuildTest(unittest.TestCase):
    def test_zip_has_desktop_file_and_package_at_top_level(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = build_plugin.build(os.path.join(tmp, "out", "p.zip"))
            names = zipfile.ZipFile(path).namelist()
        self.assertIn("diffusej_krita.desktop", names)
        for module in ("__init__", "client", "document", "docker", "extension", "generation", "imaging", "worker"):
            self.assertIn("diffusej_krita/%s.py" % module, names)
        self.assertFalse([n for n in names if "__pycache__" in n or n.startswith("tests")], names)


if __name__ == "__main__":
    unittest.main()
