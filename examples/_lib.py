"""`torch = pick()`: retrograd, or PyTorch itself when the script is run with --torch.

The examples are ordinary PyTorch programs; only the import differs, so each
can be run under both libraries and the printed numbers compared.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pick():
    return importlib.import_module("torch" if "--torch" in sys.argv[1:] else "retrograd")
