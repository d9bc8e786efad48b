"""The ``esap-registry`` command, a module per command group.

* :mod:`registry.cli.main`: the click group and the console script's ``main`` (it adds
  every command, those kept with their packages too: ``ossr``, ``broker``, ``serve``).
* :mod:`registry.cli.common`: what every command shares: the store options and opening
  the registry, the output helpers, and error handling with the exit codes.
* :mod:`registry.cli.manifests` (validate, ingest), :mod:`registry.cli.entries` (export,
  list, show, delete), :mod:`registry.cli.sparql` (query, update), :mod:`registry.cli.plan`
  (plan, platforms, runnable, shopping-list), :mod:`registry.cli.backup` (dump, restore).

This package module imports nothing, so that a command module elsewhere can import
:mod:`registry.cli.common` without running the group that adds it.
"""
