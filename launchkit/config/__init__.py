"""launchkit.toml: found, merged with the defaults and validated in full when loaded."""

from launchkit.config.file import CONFIG_FILE, find_config, load_config, merge
from launchkit.config.model import Config
from launchkit.config.schema import DEFAULTS

__all__ = ["CONFIG_FILE", "DEFAULTS", "Config", "find_config", "load_config", "merge"]
