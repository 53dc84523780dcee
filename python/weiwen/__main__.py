"""`python -m weiwen` is the `weiwen` command."""
from .cli import main

main()
