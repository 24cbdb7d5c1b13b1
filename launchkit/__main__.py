"""`python -m launchkit`: the launchkit command."""

from launchkit.cli import main

main()
