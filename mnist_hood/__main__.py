"`python -m mnist_hood`: the same as the `mnist-hood` command (the one module written by hand, not exported from a notebook)."
import sys

from mnist_hood.cli import main

if __name__ == '__main__': sys.exit(main())
