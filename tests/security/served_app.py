"""The portal as gunicorn serves it (``wsgi.py``), with each answer naming the worker process
that gave it, so tests/security/test_server_limits.py can show several workers took part."""

from __future__ import annotations

import os

from wsgi import app as portal


def app(environ, start_response):
    def start(status, headers, exc_info=None):
        headers.append(("X-Worker-Pid", str(os.getpid())))
        return start_response(status, headers, exc_info)

    return portal(environ, start)
