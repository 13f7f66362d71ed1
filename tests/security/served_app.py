"""The portal as gunicorn serves it (``wsgi.py``), with each answer naming the worker process
that gave it, so tests/security/test_server_limits.py can show several workers took part.

A worker holds on to each login attempt for a moment before it answers: the test sends its
attempts a few at a time, and a sync worker that is busy cannot take the next one, so they meet
several workers. Without the pause, on a fast machine one worker could answer every attempt of
a round (a millisecond each) before another one woke up, and the round proved nothing."""

from __future__ import annotations

import os
import time

from wsgi import app as portal

HOLD_SECONDS = 0.02


def app(environ, start_response):
    def start(status, headers, exc_info=None):
        headers.append(("X-Worker-Pid", str(os.getpid())))
        return start_response(status, headers, exc_info)

    body = portal(environ, start)
    if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/account/login":
        time.sleep(HOLD_SECONDS)
    return body
