"""The bare Flask baseline the portal's throughput is compared with: the same gunicorn, the
same client, one route that returns a short text."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello"
