"""Hypothesis settings of the property tests: a fixed seed (derandomize), no deadline."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pylitmus", derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("pylitmus")
