"""A warm ``esap-registry``: imports the registry and builds its validator and vocabulary
once, then for each line of standard input (a JSON object ``{"args": [...], "output": FILE}``)
forks a child that runs the real command line (``registry.cli``) with those arguments, its
output going to FILE. Prints ``pid N`` when the child starts and ``exit S`` (its wait status)
when it ends, so a test can ``kill -9`` the child mid-ingest without paying Python's start-up
for every round. Single-threaded, so forking is safe. Used by tests/test_faults_kill.py.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    """Serve fork requests until standard input closes."""
    from registry.cli.main import cli
    from registry.validation import get_validator
    from registry.vocabulary import get_vocabulary

    get_vocabulary()
    get_validator()
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        child = os.fork()
        if child == 0:
            code = 2
            try:
                fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                cli.main(request["args"], prog_name="esap-registry", standalone_mode=True)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(f"pid {child}", flush=True)
        _, status = os.waitpid(child, 0)
        print(f"exit {status}", flush=True)


if __name__ == "__main__":
    main()
