"""`python -m launchkit.cli`: the launchkit command."""

from launchkit.cli import main

main()
