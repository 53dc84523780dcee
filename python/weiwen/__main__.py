"""`python -m weiwen` is the `weiwen` command."""
from .cli_start import main

main()
