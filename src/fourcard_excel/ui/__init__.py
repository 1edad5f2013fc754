"""``fourcard-excel ui``: a local web page (127.0.0.1 only) for staff who do not use a terminal.

- ``paths``: upload names made safe, every path checked to stay inside a run folder.
- ``runs``: one folder per run under the work folder, the single background job and its progress.
- ``views``: what the result pages show (summary, files, problems, issue table), read from the
  run folder and the ``RunResult``.
- ``app``: the Starlette application (token check, routes, templates).
- ``server``: port choice, the printed address, the browser, Ctrl+C.
"""
