"""Capacity: the pilot's load as providers count it, projected to GA traffic against their rate limits.

load (the observed per-minute load), projection (superposed pilot minutes at a target traffic), plan
(limits checked, the GA check and the largest next expansion step).
"""
