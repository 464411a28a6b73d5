"""`python -m esra_cli` runs the same entry point as the `esra` command."""

from esra_cli.entry import main

main()
