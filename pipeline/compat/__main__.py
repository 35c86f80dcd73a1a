"""python -m pipeline.compat build|status – the compiled modules (speedups.py); `make` builds them."""
import sys

from .speedups import main

sys.exit(main())
