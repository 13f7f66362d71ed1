"""Entry point for gunicorn (``gunicorn wsgi:app``) and ``flask --app wsgi``."""

import gc

from portal import create_app

app = create_app()

# What starting the app built (modules, routes, templates, translations: some 250,000 objects)
# lives as long as the process. Frozen, the garbage collector no longer walks it again: a full
# collection took ~0.2 s, once every thousand requests or so, paid by whichever request it
# fell on. Only here, where the process serves: tests create many apps and must free them.
gc.freeze()
