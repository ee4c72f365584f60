import sys

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello from flask on python %d.%d\n" % sys.version_info[:2]
