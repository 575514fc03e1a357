"""Runs inside REAL Krita: `kritarunner -s krita_e2e -f main` (QT_QPA_PLATFORM=offscreen), with PYTHONPATH holding
krita-bridge/plugin and krita-bridge, DIFFUSEJ_BRIDGE_URL the running bridge and DIFFUSEJ_E2E_RESULT a file that
receives "PASS" or the failure (kritarunner's exit code does not tell)."""
import os
import traceback

from krita import Krita, Selection


def main(*_args):
    result_file = os.environ["DIFFUSEJ_E2E_RESULT"]
    try:
        from tests import e2e_scenario
        failures = []

        def check(cond, message):
            if not cond:
                failures.append(message)
                raise AssertionError(message)

        doc = Krita.instance().createDocument(e2e_scenario.WIDTH, e2e_scenario.HEIGHT, "e2e", "RGBA", "U8", "", 72.0)
        selection = Selection()
        x, y, w, h = e2e_scenario.SELECTION
        selection.select(x, y, w, h, 255)
        doc.setSelection(selection)
        url = os.environ["DIFFUSEJ_BRIDGE_URL"]
        names = e2e_scenario.run(doc, url, check)
        doc.setModified(False)
        doc.close()
        odd = Krita.instance().createDocument(66, 50, "odd", "RGBA", "U8", "", 72.0)
        everything = Selection()
        everything.select(0, 0, 66, 50, 255)
        odd.setSelection(everything)
        names += e2e_scenario.run_whole_canvas_and_close(odd, url, check)
        names += e2e_scenario.check_qt_resizer(check)
        outcome = "PASS " + ", ".join(names)
    except Exception:
        outcome = "FAIL\n" + traceback.format_exc()
    with open(result_file, "w", encoding="utf-8") as f:
        f.write(outcome)
    print(outcome)
