# Imports generated Python modules under an audit hook (sys.addaudithook) and reports, as one JSON
# object on stdout, every event their import raised that is more than defining classes: a command
# run, a process or socket opened, a file opened for writing, removed or renamed, a module imported
# beyond the ones generated code needs, code compiled or executed other than the module's own.
# It also lists each module's global names that are neither classes, functions, modules nor the
# MODELS registry. Usage: python3 import_audited.py MODULE.py...
import importlib.util
import json
import sys
import types

import torch  # noqa: F401  (imported before the hook: torch's own import is not what is checked)
import torch.nn  # noqa: F401

ALLOWED_IMPORTS = {"__future__", "math", "collections", "torch", "torch.nn"}
QUIET_PREFIXES = ("object.", "sys._getframe", "code.__new__", "marshal.", "builtins.id")
current = {"path": None, "events": []}


def hook(event, args):
    path = current["path"]
    if path is None:
        return
    if event.startswith(QUIET_PREFIXES):
        return
    if event == "import":
        if args[0] in ALLOWED_IMPORTS:
            return
    elif event == "open":
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        import os as _os
        writes = any(c in mode for c in "wax+") or flags & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT)
        if not writes:
            return
    elif event == "compile":
        # The import compiles the module's own source, once.
        if len(args) > 1 and args[1] == path:
            return
    elif event == "exec":
        code = args[0]
        if isinstance(code, types.CodeType) and code.co_filename == path and code.co_name == "<module>":
            return
    elif event in ("os.listdir", "os.scandir", "os.stat"):
        return
    current["events"].append([event, repr(args)[:300]])


sys.addaudithook(hook)
report = {}
for index, path in enumerate(sys.argv[1:]):
    current["path"] = path
    current["events"] = []
    error = None
    module = None
    try:
        spec = importlib.util.spec_from_file_location(f"exported_{index}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except BaseException as caught:  # a SyntaxError here is a failure of the exporter, reported
        error = f"{type(caught).__name__}: {caught}"
    current["path"] = None
    odd = []
    if module is not None:
        for name, value in vars(module).items():
            if name.startswith("__") and name.endswith("__"):
                continue
            if isinstance(value, (type, types.FunctionType, types.ModuleType)) or name in ("MODELS", "annotations"):
                continue
            odd.append(f"{name} = {type(value).__name__}")
    report[path] = {"events": current["events"], "error": error, "odd_globals": odd, "models": sorted(getattr(module, "MODELS", {}).keys()) if module else []}
print(json.dumps(report))
