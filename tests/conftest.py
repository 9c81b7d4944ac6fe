import os

from hypothesis import settings

# Hypothesis profiles for the whole suite.  The default keeps CI quick;
# S2S_HYPOTHESIS_PROFILE=deep runs the property tests much longer.
settings.register_profile("quick", max_examples=40, deadline=None, print_blob=True)
settings.register_profile("deep", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("S2S_HYPOTHESIS_PROFILE", "quick"))
