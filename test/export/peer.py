# What the measuring helpers of test/export/ share: load an exported module from its path (once per
# path) and run a measurement over every entry of a manifest, printing one JSON line per entry
# with its id, the seconds it took, and the traceback instead of figures when it failed.
import importlib.util
import json
import time
import traceback

_modules = {}


def load(path):
    if path not in _modules:
        spec = importlib.util.spec_from_file_location(f"exported_{len(_modules)}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[path] = module
    return _modules[path]


def run_manifest(manifest_path, measure):
    for entry in json.load(open(manifest_path)):
        started = time.time()
        try:
            result = measure(entry)
        except Exception:
            result = {"error": traceback.format_exc()}
        result["id"] = entry["id"]
        result["seconds"] = round(time.time() - started, 3)
        print(json.dumps(result), flush=True)
