"""The top-level README's Python example runs as written, with the build's
compiled rules in place of the installed path, and prints what the README
says it prints."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PKG_ROOT))
INSTALLED = "/usr/local/share/quell/rules/default.qdb"


def readme_example(lang):
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- readme-example: %s -->\n```\w+\n(.*?)```" % lang, text, re.S)
    assert m, "README.md has no %s example" % lang
    return m.group(1), text[m.end():]


def test_readme_python_example(default_rules):
    code, after = readme_example("python")
    assert INSTALLED in code
    code = code.replace(INSTALLED, os.path.abspath(default_rules))
    env = dict(os.environ, PYTHONPATH=PKG_ROOT)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    claimed = re.search(r"It prints `([^`]*)`", after).group(1)
    assert run.stdout.strip() == claimed
