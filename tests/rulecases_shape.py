"""Rule cases for s2s/rules (shape family); the helpers and conventions are in rulecases.py."""
import numpy as np  # noqa: F401

from rulecases import ANY, NONZERO, POS, add  # noqa: F401
