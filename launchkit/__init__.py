"""launchkit: take an AI analyst assistant from pilot to GA with numbers you can trust."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("launchkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
