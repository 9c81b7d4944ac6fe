import os

from hypothesis import settings

# Hypothesis profiles for the whole suite.  The default keeps CI quick and the same on every run
# (derandomized: a failure is the code's, not the draw's); S2S_HYPOTHESIS_PROFILE=deep runs the
# property tests much longer, with new random examples each time: that is where new bugs are found.
settings.register_profile("quick", max_examples=40, deadline=None, print_blob=True, derandomize=True)
settings.register_profile("deep", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("S2S_HYPOTHESIS_PROFILE", "quick"))

# The suite tests the working tree, however s2s is installed (editable, from a wheel, or not at all):
# pyproject's `pythonpath` puts the clone's root first in this process, and PYTHONPATH does so in the
# Python subprocesses that tests start (the `s2s` command, examples, scripts).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
